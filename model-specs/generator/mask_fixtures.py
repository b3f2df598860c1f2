#!/usr/bin/env python3
"""Reference values for Mask R-CNN's mask side (trainer/mask: MaskTargets, MaskLoss, MaskPaste),
written as small JSON fixtures to model-specs/fixtures/mask/.

Run with a Python that has PyTorch >= 1.13 and torchvision:

    /usr/bin/python3 model-specs/generator/mask_fixtures.py

Deterministic (fixed seeds). Written from mmdetection 2.x's documented semantics with torch and
torchvision ops, not copied from mmdetection:

- targets: BitmapMasks as the training pipeline leaves them (nearest-neighbour resize to the view's
  size with OpenCV's INTER_NEAREST index rule, horizontal flip, zero padding), positive RoIs clipped
  to the padded size (mask_target_single), then torchvision.ops.roi_align(mask[:, None], rois,
  out, spatial_scale=1.0, sampling_ratio=0, aligned=True) and >= 0.5 (crop_and_resize, binarize=True);
- loss: pred[arange(P), labels] then F.binary_cross_entropy_with_logits(reduction='mean')
  (mask_cross_entropy), its value and gradient;
- paste: _do_paste_mask re-implemented eagerly with F.grid_sample(align_corners=False), the CPU
  path's skip_empty window, and the whole-image (GPU path) variant for comparison.

Masks travel as strings of '0'/'1', row-major; floats rounded to 7 significant digits (Java
compares within 1e-5; binary outputs exactly).
"""
import json
import math
import os

import torch
import torch.nn.functional as F
import torchvision.ops as tvo

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "mask")


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def floats(t):
    return [float("%.7g" % x) for x in t.detach().reshape(-1).tolist()]


def rounded(t):
    """The float32 values that the fixture's 7-digit decimals parse back to: inputs are computed from these."""
    return torch.tensor(floats(t), dtype=torch.float32).reshape(t.shape)


def bits(t):
    return "".join("1" if v else "0" for v in t.reshape(-1).tolist())


# ---------------------------------------------------------------- targets

def random_mask(g, h, w):
    """A union of a few random ellipses and rectangles, 0/1 uint8 [h, w]."""
    ys = torch.arange(h, dtype=torch.float64)[:, None] + 0.5
    xs = torch.arange(w, dtype=torch.float64)[None, :] + 0.5
    m = torch.zeros(h, w, dtype=torch.bool)
    for k in range(3):
        cx, cy = float(torch.rand(1, generator=g)) * w, float(torch.rand(1, generator=g)) * h
        rx, ry = 2 + float(torch.rand(1, generator=g)) * w / 3, 2 + float(torch.rand(1, generator=g)) * h / 3
        if k % 2 == 0:
            m |= ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1
        else:
            m |= ((xs - cx).abs() <= rx) & ((ys - cy).abs() <= ry)
    return m.to(torch.uint8)


def cv2_nearest(src, dst):
    """cv::resize INTER_NEAREST (resizeNN): source index min(floor(i * (1 / (dst / src))), src - 1)."""
    inv = 1.0 / (dst / src)
    return torch.tensor([min(int(math.floor(i * inv)), src - 1) for i in range(dst)], dtype=torch.long)


def view_mask(mask, view_w, view_h, pad_w, pad_h, flipped):
    h, w = mask.shape
    resized = mask[cv2_nearest(h, view_h)][:, cv2_nearest(w, view_w)]
    if flipped:
        resized = resized.flip(1)
    out = torch.zeros(pad_h, pad_w, dtype=torch.uint8)
    out[:view_h, :view_w] = resized
    return out


def targets_case(g, name, orig_w, orig_h, view_w, view_h, pad_w, pad_h, flipped, out_size, rois, gt_index, num_gt):
    masks = [random_mask(g, orig_h, orig_w) for _ in range(num_gt)]
    views = torch.stack([view_mask(m, view_w, view_h, pad_w, pad_h, flipped) for m in masks])
    r = torch.tensor(rois, dtype=torch.float32)
    clipped = r.clone()
    clipped[:, [0, 2]] = clipped[:, [0, 2]].clamp(0, pad_w)
    clipped[:, [1, 3]] = clipped[:, [1, 3]].clamp(0, pad_h)
    inds = torch.tensor(gt_index, dtype=torch.long)
    fake = torch.arange(len(rois), dtype=torch.float32)[:, None]
    soft = tvo.roi_align(views.index_select(0, inds).to(torch.float32)[:, None], torch.cat([fake, clipped], 1),
                         (out_size, out_size), 1.0, 0, True).squeeze(1)
    ties = int(((soft - 0.5).abs() < 1e-6).sum())
    return {"name": name, "origW": orig_w, "origH": orig_h, "viewW": view_w, "viewH": view_h, "padW": pad_w,
            "padH": pad_h, "flipped": flipped, "outSize": out_size, "masks": [bits(m) for m in masks],
            "viewMasks": [bits(v) for v in views], "rois": [float(v) for v in r.reshape(-1).tolist()],
            "gtIndex": gt_index, "soft": floats(soft), "binary": bits(soft >= 0.5), "nearHalf": ties}


def targets_fixture():
    g = torch.Generator().manual_seed(141)
    cases = [
        # keep-ratio upscale 37x29 -> 56x44 (1.5x, rounded), padded to 64x64; no flip
        targets_case(g, "upscale-28", 37, 29, 56, 44, 64, 64, False, 28,
                     [[3.0, 2.0, 40.0, 30.0], [10.5, 8.25, 22.75, 19.5], [0.0, 0.0, 56.0, 44.0],
                      [30.0, 20.0, 70.0, 70.0], [5.2, 6.1, 5.9, 6.4]], [0, 1, 2, 0, 1], 3),
        # flipped, odd scale 41x33 -> 62x50, padded to 64x64; RoIs into the padding and beyond it
        targets_case(g, "flip-pad-14", 41, 33, 62, 50, 64, 64, True, 14,
                     [[1.0, 1.0, 61.0, 49.0], [40.0, 30.0, 63.5, 63.0], [-5.0, -3.0, 20.0, 18.0],
                      [12.3, 4.7, 47.9, 41.2], [50.0, 10.0, 80.0, 30.0], [20.0, 20.0, 21.0, 21.0],
                      [8.0, 8.0, 40.0, 12.0], [33.3, 2.2, 35.5, 48.8]], [1, 0, 1, 0, 1, 0, 1, 0], 2),
        # downscale 70x52 -> 35x26 (0.5x), flipped, padded to 64x32; one RoI per gt and a repeat
        targets_case(g, "downscale-flip-7", 70, 52, 35, 26, 64, 32, True, 7,
                     [[0.0, 0.0, 35.0, 26.0], [4.4, 3.3, 30.1, 22.2], [10.0, 5.0, 18.0, 25.0],
                      [2.0, 12.0, 34.0, 14.0]], [0, 1, 2, 1], 3),
    ]
    write("mask_targets", {"cases": cases})


# ---------------------------------------------------------------- loss

def loss_case(g, name, p, c, s):
    logits = rounded(torch.randn(p, c, s, s, generator=g) * 3).requires_grad_(True)
    labels = torch.randint(0, c, (p,), generator=g) if c > 1 else torch.zeros(p, dtype=torch.long)
    targets = (torch.rand(p, s, s, generator=g) < 0.4).float()
    picked = logits[torch.arange(p), labels] if p > 0 else logits.sum(1)
    loss = F.binary_cross_entropy_with_logits(picked, targets, reduction="mean") if p > 0 else logits.sum()
    loss.backward()
    return {"name": name, "shape": [p, c, s, s], "logits": floats(logits), "labels": labels.tolist(),
            "targets": bits(targets > 0.5), "loss": float(loss), "grad": floats(logits.grad)}


def loss_fixture():
    g = torch.Generator().manual_seed(142)
    write("mask_loss", {"cases": [loss_case(g, "class-specific", 3, 4, 6),
                                  loss_case(g, "class-agnostic", 2, 1, 5),
                                  loss_case(g, "full-size-28", 1, 2, 28)]})


# ---------------------------------------------------------------- paste

def paste_one(probs, box, img_h, img_w, skip_empty):
    """_do_paste_mask for one detection, written from its documented behaviour; returns the whole image."""
    x0, y0, x1, y1 = [box[i:i + 1][:, None] for i in range(4)]  # each [1, 1]
    if skip_empty:
        x0_int = int(torch.clamp(box[0].floor() - 1, min=0))
        y0_int = int(torch.clamp(box[1].floor() - 1, min=0))
        x1_int = int(torch.clamp(box[2].ceil() + 1, max=img_w))
        y1_int = int(torch.clamp(box[3].ceil() + 1, max=img_h))
    else:
        x0_int, y0_int, x1_int, y1_int = 0, 0, img_w, img_h
    full = torch.zeros(img_h, img_w)
    if x1_int <= x0_int or y1_int <= y0_int:
        return full
    img_y = torch.arange(y0_int, y1_int).to(torch.float32) + 0.5
    img_x = torch.arange(x0_int, x1_int).to(torch.float32) + 0.5
    img_y = (img_y - y0) / (y1 - y0) * 2 - 1
    img_x = (img_x - x0) / (x1 - x0) * 2 - 1
    img_x[torch.isinf(img_x)] = 0
    img_y[torch.isinf(img_y)] = 0
    gx = img_x[:, None, :].expand(1, img_y.size(1), img_x.size(1))
    gy = img_y[:, :, None].expand(1, img_y.size(1), img_x.size(1))
    grid = torch.stack([gx, gy], dim=3)
    pasted = F.grid_sample(probs[None, None], grid, align_corners=False)[0, 0]
    full[y0_int:y1_int, x0_int:x1_int] = pasted
    return full


def paste_fixture():
    g = torch.Generator().manual_seed(143)
    img_h, img_w, s = 24, 30, 28
    boxes = torch.tensor([
        [4.3, 3.7, 25.6, 21.2],     # inside, fractional
        [-6.0, 10.0, 12.0, 40.0],   # across the left and bottom borders
        [20.0, -3.5, 50.0, 12.25],  # across the top and right borders
        [10.2, 10.4, 10.8, 11.1],   # smaller than a pixel
        [15.0, 5.0, 15.0, 20.0],    # zero width: the infinite grid becomes 0
        [0.0, 0.0, 30.0, 24.0],     # the whole image
    ], dtype=torch.float32)
    # smooth logits (a few blobs) so that the maps have real shapes, then the sigmoid
    yy, xx = torch.meshgrid(torch.arange(s, dtype=torch.float32), torch.arange(s, dtype=torch.float32), indexing="ij")
    probs = []
    for _ in range(len(boxes)):
        logit = torch.full((s, s), -2.0)
        for _ in range(3):
            cx, cy = float(torch.rand(1, generator=g)) * s, float(torch.rand(1, generator=g)) * s
            r = 3 + float(torch.rand(1, generator=g)) * 8
            logit = logit + 5 * torch.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        logit = logit + 0.3 * torch.randn(s, s, generator=g)
        probs.append(torch.sigmoid(logit))
    probs = rounded(torch.stack(probs))
    cases = []
    for k in range(len(boxes)):
        cpu = paste_one(probs[k], boxes[k], img_h, img_w, True)
        gpu = paste_one(probs[k], boxes[k], img_h, img_w, False)
        cases.append({"box": floats(boxes[k]), "pasted": floats(cpu), "binary": bits(cpu >= 0.5),
                      "binaryWholeImage": bits(gpu >= 0.5)})
    # the scale step: boxes of a 1.5x input divided by [w_scale, h_scale, w_scale, h_scale]
    scale = torch.tensor([1.5, 1.4666667, 1.5, 1.4666667], dtype=torch.float32)
    view_boxes = torch.tensor([[6.1, 5.3, 38.5, 31.0], [0.0, 0.0, 54.0, 44.0]], dtype=torch.float32)
    write("mask_paste", {"height": img_h, "width": img_w, "size": s, "probs": floats(probs), "cases": cases,
                         "threshold": 0.5, "scaleW": float(scale[0]), "scaleH": float(scale[1]),
                         "viewBoxes": floats(view_boxes), "originalBoxes": floats(view_boxes / scale)})


if __name__ == "__main__":
    torch.set_num_threads(1)
    targets_fixture()
    loss_fixture()
    paste_fixture()
