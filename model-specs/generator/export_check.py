#!/usr/bin/python3
"""Checks the models 'aligndet export' wrote (the Java test utility WriteExportFixture) with the
reference tools, and records the result.

    /usr/bin/python3 model-specs/generator/export_check.py

Reads model-specs/fixtures/export/{retinanet_tiny.onnx, retinanet_tiny.ts, expected.json} and checks:

  1. the ONNX file passes onnx.checker.check_model (full_check: shapes inferred too);
  2. its metadata_props equal those Java wrote into expected.json, and name the spec, classes,
     pre-processing, checkpoint sha256 and provenance;
  3. the TorchScript file loads with torch.jit.load, and its parameters equal the ONNX initializers
     of the same names exactly (both were filled from one checkpoint by different routes), while
     differing from the spec's template (the weights really were replaced);
  4. the TorchScript stage methods on the fixed input reproduce the raw head outputs ONNX Runtime
     computed from Java (sums and every 97th value, within 1e-4 relative to the output's scale).

Prints the result and writes it to model-specs/fixtures/export/export_check.txt; exits non-zero on
any failure. onnxruntime is not needed (there is none for this Python).
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SPECS = os.path.dirname(HERE)
FIX = os.path.join(SPECS, "fixtures", "export")
TOL = 1e-4


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    lines, failures = [], []

    def check(ok, what):
        lines.append(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    onnx_path = os.path.join(FIX, "retinanet_tiny.onnx")
    ts_path = os.path.join(FIX, "retinanet_tiny.ts")
    expected = json.load(open(os.path.join(FIX, "expected.json")))
    lines.append("torch %s, onnx %s" % (torch.__version__, onnx.__version__))
    lines.append("retinanet_tiny.onnx sha256 %s" % sha256(onnx_path))
    lines.append("retinanet_tiny.ts   sha256 %s" % sha256(ts_path))

    model = onnx.load(onnx_path)
    try:
        onnx.checker.check_model(model, full_check=True)
        check(True, "onnx.checker.check_model(full_check=True) passes")
    except Exception as e:  # the checker's own exception types vary by version
        check(False, "onnx.checker.check_model: %s" % e)

    props = {p.key: p.value for p in model.metadata_props}
    check(props == expected["metadata"], "metadata_props equal what Java wrote (%d entries)" % len(props))
    classes = json.loads(props.get("aligndet.classes", "[]"))
    check(len(classes) == 8, "8 class names: %s" % classes)
    check(len(props.get("aligndet.checkpoint.sha256", "")) == 64, "checkpoint sha256 recorded")
    check(props.get("aligndet.provenance.aligndet_pretrained") == "true", "provenance: aligndet_pretrained true")

    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    template = onnx.load(os.path.join(SPECS, "graphs", "retinanet_tiny.onnx"))
    tinits = {t.name: numpy_helper.to_array(t) for t in template.graph.initializer}

    ts = torch.jit.load(ts_path, map_location="cpu")
    ts.eval()
    check(True, "torch.jit.load loads the TorchScript export")
    params = dict(ts.named_parameters())
    params.update(dict(ts.named_buffers()))
    same = [n for n in inits if n in params and np.array_equal(params[n].detach().numpy(), inits[n])]
    check(len(same) == len(inits) == len(tinits), "TorchScript parameters equal the ONNX initializers: %d of %d" % (len(same), len(inits)))
    changed = [n for n in inits if not np.array_equal(inits[n], tinits[n])]
    check(len(changed) == len(inits), "every initializer differs from the template's: %d of %d" % (len(changed), len(inits)))

    n, c, h, w = expected["input"]["shape"]
    i = np.arange(c * h * w, dtype=np.int64)
    raw = ((37 * i + 11 * (i // w)) % 256).astype(np.float32).reshape(1, c, h, w)
    mean = np.array(json.loads(props["aligndet.preprocess.mean"]), np.float32).reshape(1, 3, 1, 1)
    std = np.array(json.loads(props["aligndet.preprocess.std"]), np.float32).reshape(1, 3, 1, 1)
    x = torch.from_numpy((raw - mean) / std)
    with torch.no_grad():
        head = ts.head_forward(ts.neck_forward(ts.backbone_forward(x)))
        logits = ts.classify(head[0])
    got = {}
    for lvl in range(5):
        got["cls_score_%d" % lvl] = logits[lvl].numpy()
        got["bbox_pred_%d" % lvl] = head[1][lvl].numpy()
    stride = expected["sample_stride"]
    for name, t in got.items():
        want = expected["outputs"][name]
        flat = t.reshape(-1)
        scale = max(1.0, float(np.abs(flat).max()))
        samples = np.array(want["samples"], np.float64)
        d_samples = float(np.abs(flat[::stride].astype(np.float64) - samples).max())
        d_sum = abs(float(flat.astype(np.float64).sum()) - want["sum"]) / max(1.0, want["abs_sum"])
        ok = list(t.shape) == want["shape"] and d_samples <= TOL * scale and d_sum <= TOL
        check(ok, "%-12s shape %s, max |TorchScript - ONNX Runtime| over %d samples %.2e, relative sum difference %.2e"
              % (name, list(t.shape), len(samples), d_samples, d_sum))

    lines.append("RESULT: %s" % ("PASS" if not failures else "FAIL (%d)" % len(failures)))
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.join(FIX, "export_check.txt"), "w") as f:
        f.write(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
