#!/usr/bin/env python3
"""GPU-side check of the committed graphs (run on a machine with CUDA, PyTorch 2.x and onnxruntime).

  python3 model-specs/generator/device_check.py [--out DIR]

For each committed tiny spec:
  1. the ONNX template through ONNX Runtime with the CUDA provider (falls back to CPU and says so)
     against the template's PyTorch-eager fixture (dets, labels, raw head outputs);
  2. the TorchScript graph on CUDA: every stage method against the CPU fixture, and a training-mode
     forward/backward with the backbone frozen (gradients reach every neck/head parameter only);
  3. latency of the template at 512 and 800 px, CUDA provider vs CPU provider, in the same run.
Prints a JSON report (and writes it to --out/device_check.json).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SPECS = os.path.dirname(HERE)
DT = {"float32": np.float32, "int64": np.int64, "uint8": np.uint8, "bool": np.bool_}


def bundle(stem):
    idx = json.load(open(stem + ".tensors.json"))
    blob = open(stem + ".tensors.bin", "rb").read()
    out = {}
    for e in idx["tensors"]:
        a = np.frombuffer(blob, dtype=DT[e["dtype"]], count=int(np.prod(e["shape"])) if e["shape"] else 1,
                          offset=e["offset"]).reshape(e["shape"])
        out[e["name"]] = a
    return out


def check_onnx(name, report):
    import onnxruntime as ort
    g = bundle(os.path.join(SPECS, "fixtures", name, "graph"))
    want = bundle(os.path.join(SPECS, "fixtures", name, "onnx"))
    path = os.path.join(SPECS, "graphs", name + ".onnx")
    sess = ort.InferenceSession(path, providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
    got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"images": g["input_u8"].astype(np.float32)})))
    r = {"providers": sess.get_providers()}
    r["max_abs_diff"] = {k: float(np.abs(got[k].astype(np.float64) - want[k]).max()) for k in want if k != "labels"}
    r["labels_equal"] = float((got["labels"] == want["labels"]).mean())
    lat = {}
    for size in (512, 800):
        x = np.random.RandomState(0).randint(0, 255, size=(1, 3, size, size)).astype(np.float32)
        for prov in (["CUDAExecutionProvider"], ["CPUExecutionProvider"]):
            if prov[0] not in ort.get_available_providers():
                continue
            s = ort.InferenceSession(path, providers=prov)
            for _ in range(3):
                s.run(None, {"images": x})
            t = time.perf_counter()
            n = 10
            for _ in range(n):
                s.run(None, {"images": x})
            lat[f"{prov[0]}@{size}"] = (time.perf_counter() - t) / n * 1000
    r["latency_ms"] = lat
    report[name + ".onnx"] = r


def check_torchscript(name, report):
    import torch
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    g = bundle(os.path.join(SPECS, "fixtures", name, "graph"))
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    m = torch.jit.load(os.path.join(SPECS, "graphs", name + ".ts"), map_location=dev)
    x = torch.from_numpy(g["input"].copy()).to(dev)
    with torch.no_grad():
        feats = m.backbone_forward(x)
        pyr = m.neck_forward(feats)
        head = m.head_forward(pyr)
        logits = m.classify(head[0])
    diffs = {}
    for i, t in enumerate(pyr):
        diffs[f"neck.{i}"] = float((t.cpu() - torch.from_numpy(g[f"neck.{i}"].copy())).abs().max())
    for i, t in enumerate(logits):
        diffs[f"classify.{i}"] = float((t.cpu() - torch.from_numpy(g[f"classify.{i}"].copy())).abs().max())
    m.train()
    for n_, p in m.named_parameters():
        p.requires_grad_(not n_.startswith("backbone."))
        p.grad = None
    head = m.head_forward(m.neck_forward(m.backbone_forward(x)))
    loss = sum((t ** 2).sum() for t in m.classify(head[0])) + sum((t ** 2).sum() for t in head[1])
    loss.backward()
    reached = [n_ for n_, p in m.named_parameters() if p.grad is not None and float(p.grad.abs().sum()) > 0]
    report[name + ".ts"] = {"device": dev, "torch": torch.__version__, "max_abs_diff": diffs,
                            "grad_params": len(reached),
                            "grad_in_backbone": [n_ for n_ in reached if n_.startswith("backbone.")],
                            "params_total": sum(1 for _ in m.parameters())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    import onnxruntime as ort
    import torch
    report = {"onnxruntime": ort.__version__, "ort_providers": ort.get_available_providers(),
              "torch": torch.__version__, "cuda": torch.cuda.is_available(),
              "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    for name in ("retinanet_tiny", "fcos_tiny"):
        for fn in (check_onnx, check_torchscript):
            try:
                fn(name, report)
            except Exception as e:  # report and go on: this is a check, not a build step
                report[f"{name}:{fn.__name__}"] = f"FAILED: {type(e).__name__}: {e}"
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "device_check.json"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    sys.exit(main())
