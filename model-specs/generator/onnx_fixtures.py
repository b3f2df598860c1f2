#!/usr/bin/python3
"""Exports the ONNX fixture the Java bridge tests read.

Run with /usr/bin/python3 (PyTorch 1.13, onnx 1.12) from anywhere:

    /usr/bin/python3 model-specs/generator/onnx_fixtures.py

Writes model-specs/fixtures/onnx/tiny_net.onnx and tiny_net.expected.json. The JSON records
what the Java side must read back from the file (initializers, graph inputs/outputs, nodes,
opset, producer) plus one input and the torch outputs for it, so ONNX Runtime on the JVM can
be compared against torch without Python at test time.

torch 1.13's exporter merges initializers with identical values (and renames the survivors),
so every parameter and buffer gets distinct seeded random values before export, and the
script fails if any of them does not come out as an initializer under its state_dict name.
Exporting with TrainingMode.EVAL also folds BatchNorm into the Conv weights (renaming them
onnx::Conv_NN) even with do_constant_folding=False, hence TrainingMode.PRESERVE below.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "fixtures", "onnx")
OPSET = 13
SEED = 20240611


@torch.jit.script
def guarded_nms(boxes: torch.Tensor, scores: torch.Tensor, iou: float) -> torch.Tensor:
    # The data-dependent branch makes the exporter emit an If node whose else-branch
    # subgraph holds the NonMaxSuppression.
    if boxes.numel() == 0:
        return torch.zeros((0,), dtype=torch.int64)
    return torchvision.ops.nms(boxes, scores, iou)


class TinyNet(nn.Module):
    """conv -> batchnorm -> relu -> global mean -> linear, then boxes/scores through NMS."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, kernel_size=3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 6)

    def forward(self, images):
        x = torch.relu(self.bn(self.conv(images)))
        pooled = x.mean(dim=(2, 3))
        logits = self.fc(pooled)
        xy = logits[:, 0:2] * 8.0
        wh = torch.exp(logits[:, 2:4])
        boxes = torch.cat([xy, xy + wh], dim=1)
        scores = torch.sigmoid(logits[:, 4])
        keep = guarded_nms(boxes, scores, 0.3)
        return logits, keep


def randomize(model, gen):
    """Gives every parameter and buffer its own seeded random values (see module doc)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
        model.bn.running_mean.copy_(torch.randn(4, generator=gen) * 0.1)
        model.bn.running_var.copy_(torch.rand(4, generator=gen) + 0.5)


def dims_of(value_info):
    out = []
    for d in value_info.type.tensor_type.shape.dim:
        which = d.WhichOneof("value")
        out.append(d.dim_value if which == "dim_value" else d.dim_param if which == "dim_param" else None)
    return out


def io_of(values):
    return [{"name": v.name,
             "elem_type": v.type.tensor_type.elem_type,
             "shape": dims_of(v)} for v in values]


def initializer_entry(t):
    arr = numpy_helper.to_array(t)
    flat = arr.reshape(-1)
    first = [float(v) if arr.dtype.kind == "f" else int(v) for v in flat[:4]]
    return {"name": t.name, "data_type": t.data_type, "dtype": str(arr.dtype),
            "dims": list(t.dims), "first": first}


def subgraphs_of(graph):
    found = []
    for node in graph.node:
        for attr in node.attribute:
            subs = [attr.g] if attr.type == onnx.AttributeProto.GRAPH else list(attr.graphs)
            for g in subs:
                found.append({"node": node.name, "op_type": node.op_type, "attribute": attr.name,
                              "graph": g.name,
                              "op_types": [n.op_type for n in g.node],
                              "initializers": [initializer_entry(t) for t in g.initializer]})
                found.extend(subgraphs_of(g))
    return found


def main():
    gen = torch.Generator().manual_seed(SEED)
    model = TinyNet().eval()
    randomize(model, gen)
    images = torch.randn((5, 3, 8, 8), generator=gen)
    with torch.no_grad():
        logits, keep = model(images)

    os.makedirs(OUT_DIR, exist_ok=True)
    onnx_path = os.path.join(OUT_DIR, "tiny_net.onnx")
    torch.onnx.export(model, (images,), onnx_path, opset_version=OPSET,
                      input_names=["images"], output_names=["logits", "keep"],
                      dynamic_axes={"images": {0: "N", 2: "H", 3: "W"},
                                    "logits": {0: "N"}, "keep": {0: "K"}},
                      do_constant_folding=False, keep_initializers_as_inputs=False,
                      # EVAL would run the eval peephole that folds BatchNorm into Conv and
                      # renames the result onnx::Conv_NN; PRESERVE keeps the model's own
                      # (eval) mode without that fusion, so every state_dict name survives.
                      training=torch.onnx.TrainingMode.PRESERVE)

    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    g = m.graph
    init_names = {t.name for t in g.initializer}
    # num_batches_tracked is unused in eval mode, so the exporter rightly drops it.
    wanted = [k for k in model.state_dict() if not k.endswith("num_batches_tracked")]
    missing = [k for k in wanted if k not in init_names]
    if missing:
        sys.exit("exporter renamed or merged initializers, missing: %s (have %s)"
                 % (missing, sorted(init_names)))
    subs = subgraphs_of(g)
    if not any("NonMaxSuppression" in s["op_types"] for s in subs):
        sys.exit("expected NonMaxSuppression inside an If subgraph, got %s" % subs)

    expected = {
        "file": "tiny_net.onnx",
        "ir_version": m.ir_version,
        "producer_name": m.producer_name,
        "producer_version": m.producer_version,
        "opset": [{"domain": o.domain, "version": o.version} for o in m.opset_import],
        "initializers": [initializer_entry(t) for t in g.initializer],
        "inputs": io_of(g.input),
        "outputs": io_of(g.output),
        "node_count": len(g.node),
        "op_types": [n.op_type for n in g.node],
        "subgraphs": subs,
        "run": {
            "input": {"name": "images", "shape": list(images.shape),
                      "data": images.reshape(-1).tolist()},
            "outputs": {
                "logits": {"shape": list(logits.shape), "data": logits.reshape(-1).tolist()},
                "keep": {"shape": list(keep.shape), "data": keep.reshape(-1).tolist()},
            },
        },
    }
    with open(os.path.join(OUT_DIR, "tiny_net.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print("wrote %s (%d bytes), %d initializers, %d nodes, subgraph ops %s, keep=%s"
          % (onnx_path, os.path.getsize(onnx_path), len(g.initializer), len(g.node),
             [s["op_types"] for s in subs], keep.tolist()))


if __name__ == "__main__":
    main()
