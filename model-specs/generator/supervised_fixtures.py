#!/usr/bin/env python3
"""Reference values for the supervised (fine-tuning) losses of RetinaNet and FCOS.

Run with a Python that has PyTorch >= 1.13 and torchvision:

    /usr/bin/python3 model-specs/generator/supervised_fixtures.py

Writes model-specs/fixtures/reference/supervised_{retinanet,fcos}.json: random head outputs per
level (NCHW, flattened row-major), ground truths per image, the loss terms and their gradients with
respect to every head output. Deterministic (fixed seeds).

The loss composition below is written from mmdetection v2.x's documented semantics with plain
torch ops (not copied): RetinaHead (AnchorHead.loss with MaxIoUAssigner 0.5/0.4/0, PseudoSampler,
FocalLoss, L1Loss on DeltaXYWH deltas) and FCOSHead.loss (focal, IoU/GIoU weighted by centre-ness
targets, centre-ness BCE). Anchors, points, the max-IoU assignment and the FCOS targets come from
reference_fixtures.py, whose own fixtures already pin them. Focal loss is torchvision's
sigmoid_focal_loss; the aligned (G)IoU is mmdetection's bbox_overlaps, cross-checked against
torchvision's generalized_box_iou_loss.
"""
import math
import os
import sys

import torch
import torch.nn.functional as F
import torchvision.ops as tvo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_fixtures import (INF, aligned_overlaps, anchors, centerness, encode, fcos_targets,  # noqa: E402
                                flat, ints, max_iou_assign, points, write)

STRIDES = [8, 16, 32, 64, 128]


def level_sizes(h, w):
    """Feature sizes of a stride-8..128 pyramid on an h x w input (ceil, as strided convs give)."""
    return [(math.ceil(h / s), math.ceil(w / s)) for s in STRIDES]


def to_levels(per_image, counts):
    """[per image: tensor [P, ...]] -> level-major, image-major concatenation (mmdet images_to_levels)."""
    stacked = torch.stack(per_image)  # [N, P, ...]
    out, start = [], 0
    for c in counts:
        out.append(stacked[:, start:start + c].reshape(-1, *stacked.shape[2:]))
        start += c
    return torch.cat(out)


def flatten(maps, k):
    return torch.cat([m.permute(0, 2, 3, 1).reshape(-1, k) for m in maps])


def focal(logits, labels, num_classes, weight, avg):
    onehot = F.one_hot(labels, num_classes + 1)[:, :num_classes].float()
    per = tvo.sigmoid_focal_loss(logits, onehot, alpha=0.25, gamma=2.0, reduction="none")
    return (per * weight[:, None]).sum() / avg


# ---------------------------------------------------------------- RetinaNet

def valid_flags(sizes, pad_shape, num_anchors):
    """mmdet AnchorGenerator.valid_flags: locations inside ceil(pad / stride), per anchor."""
    out = []
    for s, (h, w) in zip(STRIDES, sizes):
        vh, vw = min(math.ceil(pad_shape[0] / s), h), min(math.ceil(pad_shape[1] / s), w)
        vy = torch.arange(h) < vh
        vx = torch.arange(w) < vw
        v = (vy[:, None] & vx[None, :]).reshape(-1)
        out.append(v[:, None].expand(h * w, num_anchors).reshape(-1))
    return torch.cat(out)


def retinanet_fixture():
    g = torch.Generator().manual_seed(11)
    num_classes, a = 3, 9
    batch, (hh, ww) = 3, (32, 64)
    sizes = level_sizes(hh, ww)
    pad_shapes = [(32, 32), (32, 64), (32, 64)]
    gts = [torch.tensor([[2.0, 3.0, 30.0, 29.0], [10.0, 12.0, 22.0, 20.0]]),
           torch.zeros(0, 4),
           torch.tensor([[5.0, 4.0, 40.0, 30.0], [30.0, 2.0, 62.0, 31.0], [0.0, 0.0, 64.0, 32.0]])]
    labels = [torch.tensor([1, 0]), torch.zeros(0, dtype=torch.long), torch.tensor([0, 2, 1])]
    cls = [(torch.randn(batch, a * num_classes, h, w, generator=g) * 2 - 2).requires_grad_(True) for h, w in sizes]
    box = [(torch.randn(batch, a * 4, h, w, generator=g) * 0.5).requires_grad_(True) for h, w in sizes]

    counts = [h * w * a for h, w in sizes]
    all_anchors = torch.cat([anchors(4, 3, [0.5, 1.0, 2.0], s, 0.0, h, w) for s, (h, w) in zip(STRIDES, sizes)])
    img_labels, img_weights, img_targets, img_bbox_w, num_pos = [], [], [], [], []
    for b in range(batch):
        valid = valid_flags(sizes, pad_shapes[b], a)
        sub = all_anchors[valid]
        assigned, _ = max_iou_assign(sub, gts[b], 0.5, 0.4, 0.0, True, True)
        full = torch.full((all_anchors.shape[0],), -2, dtype=torch.long)  # invalid anchors: ignored
        full[valid] = assigned
        lab = torch.full_like(full, num_classes)
        wt = torch.zeros(full.shape[0])
        tgt = torch.zeros(full.shape[0], 4)
        bw = torch.zeros(full.shape[0], 4)
        pos, neg = full >= 0, full == -1
        if pos.any():
            lab[pos] = labels[b][full[pos]]
            tgt[pos] = encode(all_anchors[pos], gts[b][full[pos]], [0.0] * 4, [1.0] * 4)
            bw[pos] = 1.0
        wt[pos | neg] = 1.0
        img_labels.append(lab)
        img_weights.append(wt)
        img_targets.append(tgt)
        img_bbox_w.append(bw)
        num_pos.append(int(pos.sum()))
        print(f"retinanet image {b}: {int(pos.sum())} pos, {int(neg.sum())} neg, "
              f"{int((full == -2).sum())} ignored/invalid of {full.shape[0]}")
    avg = float(sum(max(n, 1) for n in num_pos))  # mmdet v2: sum over images of max(num_pos, 1)
    flat_labels = to_levels(img_labels, counts)
    flat_w = to_levels(img_weights, counts)
    flat_t = to_levels(img_targets, counts)
    flat_bw = to_levels(img_bbox_w, counts)
    loss_cls = focal(flatten(cls, num_classes), flat_labels, num_classes, flat_w, avg)
    loss_bbox = ((flatten(box, 4) - flat_t).abs() * flat_bw).sum() / avg
    (loss_cls + loss_bbox).backward()
    write("supervised_retinanet", {
        "numClasses": num_classes, "anchorsPerLocation": a, "strides": STRIDES,
        "batch": batch, "inputSize": [hh, ww], "levelSizes": [list(s) for s in sizes],
        "padShapes": [list(p) for p in pad_shapes],
        "gts": [flat(t) for t in gts], "labels": [ints(t) for t in labels],
        "cls": [flat(t) for t in cls], "box": [flat(t) for t in box],
        "numPos": num_pos, "avgFactor": avg,
        "loss_cls": loss_cls.item(), "loss_bbox": loss_bbox.item(),
        "gradCls": [flat(t.grad) for t in cls], "gradBox": [flat(t.grad) for t in box],
    })


# ---------------------------------------------------------------- FCOS

def distance2bbox(pts, d):
    return torch.stack([pts[:, 0] - d[:, 0], pts[:, 1] - d[:, 1], pts[:, 0] + d[:, 2], pts[:, 1] + d[:, 3]], -1)


def fcos_losses(cls, box, ctr, gts, labels, num_classes, sizes, mode):
    ranges = [(-1, 64), (64, 128), (128, 256), (256, 512), (512, INF)]
    lvl_points = [points(s, h, w) for s, (h, w) in zip(STRIDES, sizes)]
    counts = [p.shape[0] for p in lvl_points]
    batch = len(gts)
    img_labels, img_targets = [], []
    for b in range(batch):
        gi, bt = fcos_targets(lvl_points, gts[b], STRIDES, ranges, True, 1.5, True)
        lab = torch.full_like(gi, num_classes)
        if (gi >= 0).any():
            lab[gi >= 0] = labels[b][gi[gi >= 0]]
        img_labels.append(lab)
        img_targets.append(bt)
    flat_labels = to_levels(img_labels, counts)
    flat_t = to_levels(img_targets, counts)
    flat_points = torch.cat([p.repeat(batch, 1) for p in lvl_points])
    pos = ((flat_labels >= 0) & (flat_labels < num_classes)).nonzero().reshape(-1)
    num_pos = max(float(pos.numel()), 1.0)
    loss_cls = focal(flatten(cls, num_classes), flat_labels, num_classes, torch.ones(flat_labels.shape[0]), num_pos)
    pos_pred = flatten(box, 4)[pos]
    pos_ctr = flatten(ctr, 1).reshape(-1)[pos]
    pos_t = flat_t[pos]
    ctr_t = centerness(pos_t)
    denorm = max(float(ctr_t.sum()), 1e-6)
    if pos.numel() > 0:
        pts = flat_points[pos]
        dp, dt = distance2bbox(pts, pos_pred), distance2bbox(pts, pos_t)
        ov = aligned_overlaps(dp, dt, mode)
        per = -ov.clamp(min=1e-6).log() if mode == "iou" else 1 - ov
        if mode == "giou":
            ref = tvo.generalized_box_iou_loss(dp.detach(), dt, reduction="none")
            assert torch.allclose(ref, per.detach(), atol=1e-5), (ref, per)
        loss_bbox = (per * ctr_t).sum() / denorm
        loss_ctr = F.binary_cross_entropy_with_logits(pos_ctr, ctr_t, reduction="sum") / num_pos
    else:
        loss_bbox, loss_ctr = pos_pred.sum(), pos_ctr.sum()
    return loss_cls, loss_bbox, loss_ctr, int(pos.numel()), denorm


def fcos_fixture():
    g = torch.Generator().manual_seed(12)
    num_classes, batch, (hh, ww) = 3, 3, (96, 128)
    sizes = level_sizes(hh, ww)
    gts = [torch.tensor([[4.0, 6.0, 40.0, 50.0], [30.0, 10.0, 90.0, 60.0], [50.0, 20.0, 58.0, 30.0]]),
           torch.zeros(0, 4),
           torch.tensor([[0.0, 0.0, 128.0, 96.0], [10.0, 30.0, 26.0, 62.0]])]  # the large one lands on level 1
    labels = [torch.tensor([2, 0, 1]), torch.zeros(0, dtype=torch.long), torch.tensor([1, 2])]
    cls0 = [torch.randn(batch, num_classes, h, w, generator=g) * 2 - 2 for h, w in sizes]
    box0 = [torch.rand(batch, 4, h, w, generator=g) * 4 + 0.05 for h, w in sizes]  # relu'd, stride units
    ctr0 = [torch.randn(batch, 1, h, w, generator=g) for h, w in sizes]
    out = {"numClasses": num_classes, "strides": STRIDES, "batch": batch, "inputSize": [hh, ww],
           "levelSizes": [list(s) for s in sizes], "gts": [flat(t) for t in gts],
           "labels": [ints(t) for t in labels],
           "cls": [flat(t) for t in cls0], "box": [flat(t) for t in box0], "centerness": [flat(t) for t in ctr0]}
    for mode in ["giou", "iou"]:
        cls = [t.clone().requires_grad_(True) for t in cls0]
        box = [t.clone().requires_grad_(True) for t in box0]
        ctr = [t.clone().requires_grad_(True) for t in ctr0]
        lc, lb, lctr, npos, denorm = fcos_losses(cls, box, ctr, gts, labels, num_classes, sizes, mode)
        (lc + lb + lctr).backward()
        print(f"fcos {mode}: {npos} positives, centerness denorm {denorm:.4f}, "
              f"losses {lc.item():.5f} {lb.item():.5f} {lctr.item():.5f}")
        out[mode] = {"numPos": npos, "centernessDenorm": denorm,
                     "loss_cls": lc.item(), "loss_bbox": lb.item(), "loss_centerness": lctr.item(),
                     "gradCls": [flat(t.grad) for t in cls], "gradBox": [flat(t.grad) for t in box],
                     "gradCenterness": [flat(t.grad) for t in ctr]}
    write("supervised_fcos", out)


if __name__ == "__main__":
    torch.manual_seed(0)
    retinanet_fixture()
    fcos_fixture()
