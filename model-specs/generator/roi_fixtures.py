#!/usr/bin/env python3
"""Reference values for the two-stage building blocks (RoIAlign, RoI extraction, RPN and RoI
targets, RPN proposals), written as small JSON fixtures next to reference_fixtures.py's.

Run with a Python that has PyTorch >= 1.13 and torchvision:

    /usr/bin/python3 model-specs/generator/roi_fixtures.py

Deterministic (fixed seeds). RoIAlign values and gradients come from torchvision.ops.roi_align
itself; the level mapping, the targets and the proposal steps are written here from mmdetection's
(v2.x) documented semantics with plain torch ops and torchvision's box_iou / batched_nms, not copied
from mmdetection. Java tests (trainer/src/test/.../twostage/**) read the files and compare within 1e-5.
Label conventions follow the Java side: gt index >= 0 positive, -1 background, -2 ignored.
"""
import math

import torch
import torchvision.ops as tvo

from reference_fixtures import anchors, decode, encode, flat, ints, max_iou_assign, write

RATIOS = [0.5, 1.0, 2.0]
RPN_STRIDES = [4, 8, 16, 32, 64]


# ---------------------------------------------------------------- RoIAlign

def roi_align_case(g, name, n, c, h, w, scale, out_hw, sampling, aligned, boxes, batch_idx):
    feats = torch.randn(n, c, h, w, generator=g, dtype=torch.float32).requires_grad_(True)
    rois = torch.cat([torch.tensor(batch_idx, dtype=torch.float32)[:, None], boxes], dim=1)
    out = tvo.roi_align(feats, rois, out_hw, spatial_scale=scale, sampling_ratio=sampling, aligned=aligned)
    weight = torch.randn(out.shape, generator=g)
    (out * weight).sum().backward()
    return {"name": name, "shape": [n, c, h, w], "spatialScale": scale, "outH": out_hw[0], "outW": out_hw[1],
            "samplingRatio": sampling, "aligned": aligned, "rois": flat(rois), "feats": flat(feats),
            "out": flat(out), "weight": flat(weight), "grad": flat(feats.grad)}


def roi_align_fixture():
    g = torch.Generator().manual_seed(21)
    # in image pixels; the map is 9 x 11 at scale 0.5 (an 18 x 22 image)
    boxes = torch.tensor([
        [2.0, 3.0, 15.0, 12.0],      # inside
        [-6.0, -4.0, 8.0, 9.0],      # partly left of and above the map
        [14.0, 10.0, 30.0, 26.0],    # partly right of and below the map
        [-30.0, -30.0, -20.0, -22.0],  # wholly outside: samples beyond -1 give 0
        [5.2, 6.1, 5.5, 6.3],        # tiny: one sample per bin
        [7.0, 7.0, 7.0, 7.0],        # empty: no samples at all
        [0.0, 0.0, 22.0, 18.0],      # the whole image: 2 x 2 samples per bin at 7 x 7
        [1.3, 0.7, 21.9, 17.2],      # large, fractional
        [20.5, 16.5, 23.0, 19.0],    # around the last row and column (clamped neighbours)
    ])
    idx = [0, 1, 0, 1, 0, 1, 0, 1, 1]
    cases = [roi_align_case(g, "aligned-7x7", 2, 3, 9, 11, 0.5, (7, 7), 0, True, boxes, idx),
             roi_align_case(g, "aligned-3x4", 2, 2, 9, 11, 0.5, (3, 4), 0, True, boxes, idx),
             roi_align_case(g, "aligned-fixed-ratio-2", 2, 2, 9, 11, 0.5, (2, 2), 2, True, boxes, idx),
             roi_align_case(g, "legacy-not-aligned", 2, 2, 9, 11, 0.5, (2, 3), 0, False, boxes, idx),
             roi_align_case(g, "scale-1", 1, 2, 6, 5, 1.0, (2, 2), 0, True,
                            torch.tensor([[0.0, 0.0, 5.0, 6.0], [-0.9, 4.2, 6.0, 7.5], [2.5, 2.5, 2.6, 2.6]]),
                            [0, 0, 0])]
    write("roi_align", {"cases": cases})


def map_levels(boxes, num_levels, finest_scale=56):
    """mmdetection SingleRoIExtractor.map_roi_levels: floor(log2(sqrt(area) / finest_scale + 1e-6))."""
    scale = torch.sqrt((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
    lvls = torch.floor(torch.log2(scale / finest_scale + 1e-6))
    return lvls.clamp(min=0, max=num_levels - 1).long()


def roi_extractor_fixture():
    g = torch.Generator().manual_seed(22)
    strides = [4, 8, 16, 32]
    img_h, img_w, n, c = 64, 96, 2, 3
    feats = [torch.randn(n, c, img_h // s, img_w // s, generator=g).requires_grad_(True) for s in strides]
    sides = [10.0, 55.9, 56.0, 80.0, 111.9, 112.0, 150.0, 223.9, 224.0, 300.0, 448.0, 600.0]
    boxes = []
    for i, side in enumerate(sides):
        x1, y1 = float(i * 7 % 50) - 20.0, float(i * 11 % 40) - 10.0
        boxes.append([x1, y1, x1 + side, y1 + side])
    boxes.append([30.0, 40.0, 30.0 + 224.0, 40.0 + 56.0])  # sqrt(224 * 56) = 112: level 1
    boxes.append([3.0, 5.0, 3.0, 20.0])  # empty: level 0, all zero
    boxes = torch.tensor(boxes)
    idx = torch.tensor([i % 2 for i in range(boxes.shape[0])], dtype=torch.float32)
    rois = torch.cat([idx[:, None], boxes], dim=1)
    lvls = map_levels(boxes, len(strides))
    out = boxes.new_zeros(boxes.shape[0], c, 7, 7)
    for l, s in enumerate(strides):
        m = lvls == l
        if m.any():
            out[m] = tvo.roi_align(feats[l], rois[m], (7, 7), spatial_scale=1.0 / s, sampling_ratio=0, aligned=True)
    weight = torch.randn(out.shape, generator=g)
    (out * weight).sum().backward()
    write("roi_extractor", {"strides": strides, "finestScale": 56, "outSize": 7, "batch": n, "channels": c,
                            "levelSizes": [[img_h // s, img_w // s] for s in strides],
                            "feats": [flat(f) for f in feats], "rois": flat(rois), "levels": ints(lvls),
                            "out": flat(out), "weight": flat(weight), "grads": [flat(f.grad) for f in feats]})


# ---------------------------------------------------------------- RPN targets

def level_sizes(pad_h, pad_w, strides):
    return [[math.ceil(pad_h / s), math.ceil(pad_w / s)] for s in strides]


def rpn_anchors(sizes):
    return torch.cat([anchors(8, 1, RATIOS, s, 0.0, h, w) for s, (h, w) in zip(RPN_STRIDES, sizes)])


def rpn_targets_fixture():
    g = torch.Generator().manual_seed(23)
    pad_h, pad_w = 96, 128
    sizes = level_sizes(pad_h, pad_w, RPN_STRIDES)
    all_anchors = rpn_anchors(sizes)
    gts = torch.tensor([[10.0, 12.0, 40.0, 50.0], [60.0, 20.0, 124.0, 90.0], [33.0, 33.0, 41.0, 39.0],
                        [2.0, 60.0, 70.0, 94.0], [90.0, 5.0, 97.0, 60.0]])
    gts = gts + torch.rand(gts.shape, generator=g)
    assigned, max_ov = max_iou_assign(all_anchors, gts, 0.7, 0.3, 0.3, True, True)
    pos = torch.nonzero(assigned >= 0).reshape(-1)
    targets = encode(all_anchors[pos], gts[assigned[pos]], [0.0] * 4, [1.0] * 4)
    write("rpn_targets", {"padShape": [pad_h, pad_w], "strides": RPN_STRIDES, "ratios": RATIOS, "scales": [8],
                          "levelSizes": sizes, "numAnchors": all_anchors.shape[0],
                          "lastLevelsAnchors": flat(all_anchors[-3 * sum(h * w for h, w in sizes[2:]):]), "gts": flat(gts),
                          "gtIndex": ints(assigned), "maxOverlap": flat(max_ov),
                          "positives": ints(pos), "posTargets": flat(targets)})


# ---------------------------------------------------------------- RoI targets (fine-tuning)

def roi_targets_fixture():
    g = torch.Generator().manual_seed(24)
    num_classes = 3
    gts = torch.tensor([[10.0, 10.0, 60.0, 70.0], [80.0, 20.0, 150.0, 60.0], [30.0, 90.0, 70.0, 120.0],
                        [100.0, 80.0, 140.0, 118.0]])
    labels = torch.tensor([2, 0, 1, 2])
    jitter = gts.repeat(15, 1) + torch.randn(60, 4, generator=g) * 8
    jitter[:, 2:] = torch.max(jitter[:, 2:], jitter[:, :2] + 2)
    xy = torch.rand(90, 2, generator=g) * 140
    wh = torch.rand(90, 2, generator=g) * 60 + 4
    proposals = torch.cat([jitter, torch.cat([xy, xy + wh], dim=1)])
    assigned, max_ov = max_iou_assign(proposals, gts, 0.5, 0.5, 0.5, True, False)
    # gts go in front of the proposals, each assigned to itself (mmdetection's add_gt_as_proposals)
    boxes = torch.cat([gts, proposals])
    comb = torch.cat([torch.arange(gts.shape[0]), assigned])
    pos = torch.nonzero(comb >= 0).reshape(-1)
    neg = torch.nonzero(comb == -1).reshape(-1)
    assert pos.numel() <= 128 and pos.numel() + neg.numel() <= 512, "the fixture must sample everything"
    rois = torch.cat([boxes[pos], boxes[neg]])
    roi_labels = torch.cat([labels[comb[pos]], torch.full((neg.numel(),), num_classes, dtype=torch.long)])
    targets = encode(boxes[pos], gts[comb[pos]], [0.0] * 4, [0.1, 0.1, 0.2, 0.2])
    write("roi_targets", {"numClasses": num_classes, "gts": flat(gts), "labels": ints(labels),
                          "proposals": flat(proposals), "gtIndex": ints(assigned), "maxOverlap": flat(max_ov),
                          "rois": flat(rois), "roiLabels": ints(roi_labels), "numPos": pos.numel(),
                          "posGt": ints(comb[pos]), "posTargets": flat(targets)})


# ---------------------------------------------------------------- RPN proposals

def proposals(scores_per_level, deltas_per_level, anchors_per_level, img_hw, nms_pre, iou, max_per_img):
    """mmdetection 2.x RPNHead._get_bboxes_single for one image (min_bbox_size 0)."""
    sc, dl, an, ids = [], [], [], []
    for lvl, (s, d, a) in enumerate(zip(scores_per_level, deltas_per_level, anchors_per_level)):
        s = s.sigmoid()
        if 0 < nms_pre < s.shape[0]:
            s, order = s.sort(descending=True)
            s, d, a = s[:nms_pre], d[order[:nms_pre]], a[order[:nms_pre]]
        sc.append(s)
        dl.append(d)
        an.append(a)
        ids.append(torch.full((s.shape[0],), lvl, dtype=torch.long))
    scores, deltas, anc, ids = torch.cat(sc), torch.cat(dl), torch.cat(an), torch.cat(ids)
    boxes = decode(anc, deltas, [0.0] * 4, [1.0] * 4, img_hw)
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    valid = (w > 0) & (h > 0)
    boxes, scores, ids = boxes[valid], scores[valid], ids[valid]
    keep = tvo.batched_nms(boxes, scores, ids, iou)[:max_per_img]
    return boxes[keep], scores[keep], ids[keep], int(valid.sum())


def rpn_proposals_fixture():
    g = torch.Generator().manual_seed(25)
    pad_h, pad_w, img_h, img_w = 64, 96, 60, 90
    sizes = level_sizes(pad_h, pad_w, RPN_STRIDES)
    anc = [anchors(8, 1, RATIOS, s, 0.0, h, w) for s, (h, w) in zip(RPN_STRIDES, sizes)]
    # location-major, then anchor: the order of anchors(...) and of mmdetection's permute(1, 2, 0)
    logits = [torch.randn(a.shape[0], generator=g) * 2 for a in anc]
    deltas = [torch.randn(a.shape[0], 4, generator=g) * 0.3 for a in anc]
    deltas[4][0] = torch.tensor([-9.0, -9.0, 0.0, 0.0])  # pushed off the image: empty after clipping
    deltas[3][5] = torch.tensor([0.0, 9.0, 0.0, 0.0])
    cases = []
    for name, nms_pre, iou, max_per in [("mmdet-defaults", 2000, 0.7, 1000), ("small", 50, 0.7, 60),
                                        ("iou-0.5", 300, 0.5, 100)]:
        b, s, i, n_valid = proposals(logits, deltas, anc, (img_h, img_w), nms_pre, iou, max_per)
        cases.append({"name": name, "nmsPre": nms_pre, "iou": iou, "maxPerImg": max_per, "numValid": n_valid,
                      "boxes": flat(b), "scores": flat(s), "levels": ints(i)})
    write("rpn_proposals", {"padShape": [pad_h, pad_w], "imgShape": [img_h, img_w], "levelSizes": sizes,
                            "logits": [flat(x) for x in logits], "deltas": [flat(x) for x in deltas],
                            "cases": cases})


if __name__ == "__main__":
    torch.manual_seed(0)
    roi_align_fixture()
    roi_extractor_fixture()
    rpn_targets_fixture()
    roi_targets_fixture()
    rpn_proposals_fixture()
    print("wrote roi_align, roi_extractor, rpn_targets, roi_targets, rpn_proposals")
