"""Tensor bundles: NAME.tensors.json (index) + NAME.tensors.bin (raw little-endian data, 64-byte aligned).

The index is {"format": "aligndet-tensors", "version": 1,
              "tensors": [{"name", "dtype", "shape", "offset", "nbytes"}]}.
Java reads it with org.aligndet.bridge.tensor.TensorBundle. Used for fixtures only.
"""
import json
import os

import torch

DTYPES = {torch.float32: "float32", torch.int64: "int64", torch.uint8: "uint8", torch.bool: "bool"}


def write(path_stem, tensors):
    entries, blob = [], bytearray()
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        pad = (-len(blob)) % 64
        blob += b"\0" * pad
        entries.append({"name": name, "dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "offset": len(blob), "nbytes": len(data)})
        blob += data
    tmp = path_stem + ".tensors.bin.tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, path_stem + ".tensors.bin")
    with open(path_stem + ".tensors.json.tmp", "w") as f:
        json.dump({"format": "aligndet-tensors", "version": 1, "tensors": entries}, f, indent=1)
        f.write("\n")
    os.replace(path_stem + ".tensors.json.tmp", path_stem + ".tensors.json")
