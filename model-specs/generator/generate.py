#!/usr/bin/env python3
"""Writes the graphs and fixtures for model specs.

  /usr/bin/python3 model-specs/generator/generate.py --spec retinanet_tiny [--spec ...] [--out DIR]
  /usr/bin/python3 model-specs/generator/generate.py --spec path/to/my_spec.json
  /usr/bin/python3 model-specs/generator/generate.py --tiny        # every committed tiny spec

--spec takes a spec name of model-specs/ or the path of a spec file (anything ending in .json).
Graphs go where the Java side looks for them: the folder the spec's "graphs" key names (relative
to the spec file), default "graphs" beside the spec file; --out overrides it.
For spec NAME it writes into OUT (default model-specs/graphs for the specs of model-specs/):
  NAME.ts            scripted training graph with stage methods (see graphs.py), mmdetection-style init
  NAME.onnx          inference template (dets, labels, raw head outputs); its initializers carry
                     distinct random values: export fills the real weights in by name
  NAME.manifest.json parameter names/shapes, stage methods, output names, provenance
and into fixtures/NAME/ beside the spec file (model-specs/fixtures/NAME/):
  graph.tensors.*    the fixture input and every stage output of NAME.ts on it
  onnx.tensors.*     the template's own outputs (torch eager) on the same input
Deterministic: fixed seeds, single thread.
"""
import argparse
import hashlib
import json
import math
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bundle  # noqa: E402
import graphs  # noqa: E402
import twostage  # noqa: E402

SPECS = os.path.dirname(HERE)
GENERATOR_VERSION = 1


def spec_path(ref):
    """The spec file of a name of model-specs/ or of a path (anything ending in .json)."""
    return os.path.abspath(ref) if ref.endswith(".json") else os.path.join(SPECS, ref + ".json")


def load_spec(ref):
    path = spec_path(ref)
    try:
        with open(path) as f:
            spec = json.load(f)
    except OSError as e:
        raise SystemExit(f"{path}: cannot read the spec: {e.strerror}")
    except ValueError as e:
        raise SystemExit(f"{path}: not valid JSON: {e}")
    if spec.get("spec_version") != 1:
        raise SystemExit(f"{path}: unsupported spec_version {spec.get('spec_version')}")
    stem = os.path.basename(path)[:-len(".json")]
    if spec.get("name") != stem:
        raise SystemExit(f"{path}: name {spec.get('name')!r} is not the file's stem {stem!r}")
    return spec


def graphs_dir(ref):
    """Where the Java side looks for a spec's graphs: its "graphs" key, relative to the spec file, default "graphs"."""
    path = spec_path(ref)
    with open(path) as f:
        key = json.load(f).get("graphs", "graphs")
    return os.path.join(os.path.dirname(path), key)


def mmdet_init(graph: nn.Module, spec, seed: int):
    """Initialisation as mmdetection does it: kaiming backbone convs, xavier FPN, N(0, 0.01) heads,
    focal-loss prior on the classifier bias, unit norms. A spec may set head.stacked_conv_init to
    "kaiming" (the tiny specs do): with 64 channels, four N(0, 0.01) convs shrink activations about
    300-fold, and the contrastive projector on top then collapses onto its biases."""
    g = torch.Generator().manual_seed(seed)
    prior = spec["head"]["prior_prob"]
    head_kaiming = spec["head"].get("stacked_conv_init", "normal_0.01") == "kaiming"
    with torch.no_grad():
        for name, p in graph.named_parameters():
            if name.endswith("running_mean") or (name.endswith("bias") and p.dim() == 1 and "conv" not in name
                                                 and "retina" not in name):
                p.zero_()
            if name.endswith("running_var"):
                p.fill_(1.0)
            elif name.endswith(".scale"):
                p.fill_(1.0)
            elif p.dim() == 1 and name.endswith("weight"):  # BN / GN affine
                p.fill_(1.0)
            elif p.dim() == 4 and name.startswith("backbone."):
                fan_out = p.shape[0] * p.shape[2] * p.shape[3]
                p.normal_(0, math.sqrt(2.0 / fan_out), generator=g)
            elif p.dim() == 4 and name.startswith("neck."):
                fan_in = p.shape[1] * p.shape[2] * p.shape[3]
                fan_out = p.shape[0] * p.shape[2] * p.shape[3]
                a = math.sqrt(6.0 / (fan_in + fan_out))
                p.uniform_(-a, a, generator=g)
            elif p.dim() == 4 and head_kaiming and "_convs." in name:
                # stacked head convs: kaiming (fan_out, ReLU) keeps activations O(1) at few channels
                fan_out = p.shape[0] * p.shape[2] * p.shape[3]
                p.normal_(0, math.sqrt(2.0 / fan_out), generator=g)
            elif p.dim() == 4:
                p.normal_(0, 0.01, generator=g)
            elif name.endswith("bias"):
                p.zero_()
        cls_bias = "bbox_head.retina_cls.bias" if spec["family"] == "retinanet" else "bbox_head.conv_cls.bias"
        dict(graph.named_parameters())[cls_bias].fill_(-math.log((1 - prior) / prior))


def distinct_init(graph: nn.Module, seed: int):
    """Gives every tensor distinct, well-scaled random values, so that the ONNX exporter cannot merge
    two initializers with equal contents (and lose a name)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in graph.named_parameters():
            if name.endswith("running_var") or name.endswith(".scale") or (p.dim() == 1 and name.endswith("weight")):
                p.uniform_(0.5, 1.5, generator=g)
            elif p.dim() >= 2:
                fan_in = p[0].numel()
                p.normal_(0, 1.0 / math.sqrt(fan_in), generator=g)
            else:
                p.normal_(0, 0.1, generator=g)


def fixture_input(spec):
    """uint8 [N,3,H,W]: pixel (n,c,y,x) = (7x + 13y + 29c + 31n + (x*y % 17)) mod 251."""
    n, h, w = spec["input"]["fixture_size"]
    nn_, c, y, x = torch.meshgrid(torch.arange(n), torch.arange(3), torch.arange(h), torch.arange(w), indexing="ij")
    return ((7 * x + 13 * y + 29 * c + 31 * nn_ + (x * y) % 17) % 251).to(torch.uint8)


def normalise(spec, images_u8):
    mean = torch.tensor(spec["input"]["mean"]).reshape(1, 3, 1, 1)
    std = torch.tensor(spec["input"]["std"]).reshape(1, 3, 1, 1)
    return (images_u8.float() - mean) / std


def stage_fixtures(spec, scripted, images_u8):
    x = normalise(spec, images_u8)
    out = {"input_u8": images_u8, "input": x}
    with torch.no_grad():
        feats = scripted.backbone_forward(x)
        pyr = scripted.neck_forward(feats)
        head = scripted.head_forward(pyr)
        logits = scripted.classify(head[0])
    for i, t in enumerate(feats):
        out[f"backbone.{i}"] = t
    for i, t in enumerate(pyr):
        out[f"neck.{i}"] = t
    groups = ["cls_feats", "box_out", "centerness"]
    for gi, lst in enumerate(head):
        for i, t in enumerate(lst):
            out[f"head.{groups[gi]}.{i}"] = t
    for i, t in enumerate(logits):
        out[f"classify.{i}"] = t
    return out


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(spec, graph_for_onnx, path, images_u8):
    template = graphs.InferenceTemplate(spec, graph_for_onnx).eval()
    raw_names = graphs.raw_output_names(spec)
    names = ["dets", "labels"] + raw_names
    dyn = {"images": {0: "N", 2: "H", 3: "W"}, "dets": {0: "N"}, "labels": {0: "N"}}
    for r in raw_names:  # each level has its own spatial size: dims named after the level
        lvl = r.rsplit("_", 1)[1]
        dyn[r] = {0: "N", 2: "h" + lvl, 3: "w" + lvl}
    with torch.no_grad():
        expected = template(images_u8.float())
        torch.onnx.export(template, (images_u8.float(),), path + ".tmp", input_names=["images"], output_names=names,
                          dynamic_axes=dyn, opset_version=13, do_constant_folding=False,
                          keep_initializers_as_inputs=False)
    os.replace(path + ".tmp", path)
    import onnx
    model = onnx.load(path)
    # the exporter cannot infer K through NonMaxSuppression + TopK: state the contract's shapes
    k = spec["test"]["max_per_img"]
    for out in model.graph.output:
        if out.name in ("dets", "labels"):
            out.type.tensor_type.shape.dim[1].ClearField("dim_param")
            out.type.tensor_type.shape.dim[1].dim_value = k
    onnx.checker.check_model(model)
    onnx.save(model, path + ".tmp")
    os.replace(path + ".tmp", path)
    inits = {i.name for i in model.graph.initializer}
    wanted = [n for n, _ in graph_for_onnx.named_parameters()]
    missing = [n for n in wanted if n not in inits]
    if missing:
        raise SystemExit(f"{path}: the exporter lost parameter names {missing[:10]} ({len(missing)} in all)")
    return dict(zip(names, expected)), sorted(inits & set(wanted))


def write_scripted(spec, stage, ts_path):
    """Scripts the stage's training graph (mmdetection-style init, fixed seed) and saves it; returns the module."""
    graph = graphs.build_graph(spec, stage)
    mmdet_init(graph, spec, seed=20231001)
    graph.eval()
    scripted = torch.jit.script(graph)
    for m in ["backbone_forward", "neck_forward", "head_forward", "classify", "forward"]:
        assert hasattr(scripted, m), m
    scripted.save(ts_path + ".tmp")
    os.replace(ts_path + ".tmp", ts_path)
    return graph


def write_two_stage_scripted(spec, stage, ts_path):
    graph = twostage.build_graph(spec, stage)
    twostage.mmdet_init(graph, seed=20231001)
    graph.eval()
    scripted = torch.jit.script(graph)
    for m in twostage.method_outputs(spec):
        assert hasattr(scripted, m), m
    scripted.save(ts_path + ".tmp")
    os.replace(ts_path + ".tmp", ts_path)
    return graph


def export_two_stage_onnx(spec, graph_for_onnx, path, images_u8):
    template = twostage.TwoStageTemplate(spec, graph_for_onnx).eval()
    names = twostage.output_names(spec)
    dyn = {"images": {0: "N", 2: "H", 3: "W"}}
    for o in names:
        dyn[o] = {0: "N"}
    with torch.no_grad():
        expected = template(images_u8.float())
        torch.onnx.export(template, (images_u8.float(),), path + ".tmp", input_names=["images"], output_names=names,
                          dynamic_axes=dyn, opset_version=16, do_constant_folding=False,
                          keep_initializers_as_inputs=False)
    os.replace(path + ".tmp", path)
    import onnx
    model = onnx.load(path)
    k = spec["test"]["max_per_img"]
    for out in model.graph.output:  # the exporter cannot infer K through NonMaxSuppression + TopK
        out.type.tensor_type.shape.dim[1].ClearField("dim_param")
        out.type.tensor_type.shape.dim[1].dim_value = k
    onnx.checker.check_model(model)
    onnx.save(model, path + ".tmp")
    os.replace(path + ".tmp", path)
    inits = {i.name for i in model.graph.initializer}
    wanted = [n for n, _ in graph_for_onnx.named_parameters()]
    missing = [n for n in wanted if n not in inits]
    if missing:
        raise SystemExit(f"{path}: the exporter lost parameter names {missing[:10]} ({len(missing)} in all)")
    return dict(zip(names, expected)), sorted(inits & set(wanted))


def generate_two_stage(spec, ref, out_dir):
    name = spec["name"]
    ts_path = os.path.join(out_dir, name + ".ts")
    graph = write_two_stage_scripted(spec, "finetune", ts_path)
    images = fixture_input(spec)
    x = normalise(spec, images)
    fixtures_dir = os.path.join(os.path.dirname(spec_path(ref)), "fixtures", name)
    os.makedirs(fixtures_dir, exist_ok=True)
    bundle.write(os.path.join(fixtures_dir, "graph"), twostage.stage_fixtures(spec, torch.jit.load(ts_path), x, images))
    pre_path = os.path.join(out_dir, name + ".pretrain.ts")
    pretrain_graph = None
    if graphs.has_pretrain_graph(spec):
        pretrain_graph = write_two_stage_scripted(spec, "pretrain", pre_path)
    elif os.path.exists(pre_path):
        os.remove(pre_path)
    onnx_graph = twostage.build_graph(spec)
    distinct_init(onnx_graph, seed=7)
    onnx_graph.eval()
    onnx_path = os.path.join(out_dir, name + ".onnx")
    onnx_out, filled = export_two_stage_onnx(spec, onnx_graph, onnx_path, images)
    bundle.write(os.path.join(fixtures_dir, "onnx"), onnx_out)
    params = [{"name": n, "shape": list(p.shape), "dtype": "float32", "trainable": p.requires_grad}
              for n, p in graph.named_parameters()]
    manifest = {
        "format": "aligndet-graph-manifest", "version": 1,
        "spec": name, "family": spec["family"],
        "generator_version": GENERATOR_VERSION, "torch_version": torch.__version__,
        "methods": twostage.method_outputs(spec),
        "parameters": params,
        "onnx": {"inputs": ["images"], "outputs": twostage.output_names(spec),
                 "initializers_named_like_parameters": len(filled), "opset": 16},
        "files": {name + ".ts": sha256(ts_path), name + ".onnx": sha256(onnx_path)},
    }
    if pretrain_graph is not None:
        manifest["pretrain_parameters"] = [{"name": n, "shape": list(p.shape), "dtype": "float32",
                                            "trainable": p.requires_grad} for n, p in pretrain_graph.named_parameters()]
        manifest["files"][name + ".pretrain.ts"] = sha256(pre_path)
    with open(os.path.join(out_dir, name + ".manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"{name}: {len(params)} parameters, ts {os.path.getsize(ts_path) / 1e6:.1f} MB, "
          f"onnx {os.path.getsize(onnx_path) / 1e6:.1f} MB, "
          f"dets kept on fixture: {int((onnx_out['labels'] >= 0).sum())}")


def generate(ref, out_dir):
    torch.set_num_threads(1)
    spec = load_spec(ref)
    name = spec["name"]
    if twostage.is_two_stage(spec):
        os.makedirs(out_dir, exist_ok=True)
        generate_two_stage(spec, ref, out_dir)
        return
    os.makedirs(out_dir, exist_ok=True)
    ts_path = os.path.join(out_dir, name + ".ts")
    graph = write_scripted(spec, "finetune", ts_path)

    images = fixture_input(spec)
    fixtures_dir = os.path.join(os.path.dirname(spec_path(ref)), "fixtures", name)
    os.makedirs(fixtures_dir, exist_ok=True)
    bundle.write(os.path.join(fixtures_dir, "graph"), stage_fixtures(spec, torch.jit.load(ts_path), images))
    pre_path = os.path.join(out_dir, name + ".pretrain.ts")
    pretrain_graph = None
    if graphs.has_pretrain_graph(spec):
        # box-domain pre-training has a neck of its own (AlignDet's: no norm, conv biases)
        pretrain_graph = write_scripted(spec, "pretrain", pre_path)
        bundle.write(os.path.join(fixtures_dir, "pretrain_graph"),
                     stage_fixtures(spec, torch.jit.load(pre_path), images))
    elif os.path.exists(pre_path):
        os.remove(pre_path)

    onnx_graph = graphs.build_graph(spec)
    distinct_init(onnx_graph, seed=7)
    onnx_graph.eval()
    onnx_path = os.path.join(out_dir, name + ".onnx")
    onnx_out, filled = export_onnx(spec, onnx_graph, onnx_path, images)
    bundle.write(os.path.join(fixtures_dir, "onnx"), onnx_out)

    params = [{"name": n, "shape": list(p.shape), "dtype": "float32", "trainable": p.requires_grad}
              for n, p in graph.named_parameters()]
    levels = len(spec["head"]["anchor"]["strides"] if spec["family"] == "retinanet" else spec["head"]["strides"])
    manifest = {
        "format": "aligndet-graph-manifest", "version": 1,
        "spec": name, "family": spec["family"],
        "generator_version": GENERATOR_VERSION, "torch_version": torch.__version__,
        "methods": {"backbone_forward": len(spec["backbone"]["out_indices"]),
                    "neck_forward": spec["neck"]["num_outs"],
                    "head_forward": levels * (3 if spec["family"] == "fcos" else 2),
                    "classify": levels},
        "parameters": params,
        "onnx": {"inputs": ["images"], "outputs": ["dets", "labels"] + graphs.raw_output_names(spec),
                 "initializers_named_like_parameters": len(filled), "opset": 13},
        "files": {name + ".ts": sha256(ts_path), name + ".onnx": sha256(onnx_path)},
    }
    if pretrain_graph is not None:
        manifest["pretrain_parameters"] = [{"name": n, "shape": list(p.shape), "dtype": "float32",
                                            "trainable": p.requires_grad} for n, p in pretrain_graph.named_parameters()]
        manifest["files"][name + ".pretrain.ts"] = sha256(pre_path)
    with open(os.path.join(out_dir, name + ".manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"{name}: {len(params)} parameters, ts {os.path.getsize(ts_path) / 1e6:.1f} MB, "
          f"onnx {os.path.getsize(onnx_path) / 1e6:.1f} MB, "
          f"dets kept on fixture: {int((onnx_out['labels'] >= 0).sum())}")


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":
        # TorchScript's printed code iterates Python sets: fix the hash seed for byte-identical files
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", action="append", default=[], help="a spec name of model-specs/, or a spec file's path")
    ap.add_argument("--tiny", action="store_true", help="all committed tiny specs")
    ap.add_argument("--out", default=None, help="graphs folder (default: the spec's, see above)")
    args = ap.parse_args()
    names = list(args.spec)
    if args.tiny:
        names += ["retinanet_tiny", "fcos_tiny", "faster_rcnn_tiny", "mask_rcnn_tiny"]
    if not names:
        ap.error("name a --spec or --tiny")
    for n in names:
        generate(n, args.out if args.out is not None else graphs_dir(n))


if __name__ == "__main__":
    main()
