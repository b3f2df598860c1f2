#!/usr/bin/env python3
"""Reference values for the trainer's core math, written as small JSON fixtures.

Run with a Python that has PyTorch >= 1.13 and torchvision:

    /usr/bin/python3 model-specs/generator/reference_fixtures.py

Everything is deterministic (fixed seeds). The reference code below is written from
mmdetection's (v2.x) documented semantics with plain torch ops, and cross-checked against
torchvision ops where they exist (box_iou, generalized_box_iou, sigmoid_focal_loss). It is
not copied from mmdetection. Java tests (trainer/src/test/.../org/aligndet/trainer/**) read
the files in model-specs/fixtures/reference/ and compare within 1e-5.

Label conventions in the files follow the Java side: gt index >= 0 for a positive,
-1 for background, -2 for ignored.
"""
import json
import math
import os

import torch
import torch.nn.functional as F
import torchvision.ops as tvo

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "reference")
BACKGROUND, IGNORED = -1, -2
INF = 1e8


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def ints(t):
    return [int(x) for x in t.reshape(-1).tolist()]


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def random_boxes(g, n, size=100.0, min_wh=2.0):
    xy = torch.rand(n, 2, generator=g) * size
    wh = torch.rand(n, 2, generator=g) * size * 0.6 + min_wh
    return torch.cat([xy, xy + wh], dim=1)


# ---------------------------------------------------------------- boxes

def aligned_overlaps(a, b, mode="iou", eps=1e-6):
    """mmdetection bbox_overlaps(is_aligned=True): no +1, union and enclosure clamped at eps."""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = torch.max(a[:, :2], b[:, :2])
    rb = torch.min(a[:, 2:], b[:, 2:])
    wh = (rb - lt).clamp(min=0)
    overlap = wh[:, 0] * wh[:, 1]
    union = torch.max(area_a + area_b - overlap, a.new_tensor([eps]))
    ious = overlap / union
    if mode == "iou":
        return ious
    elt = torch.min(a[:, :2], b[:, :2])
    erb = torch.max(a[:, 2:], b[:, 2:])
    ewh = (erb - elt).clamp(min=0)
    enclose = torch.max(ewh[:, 0] * ewh[:, 1], a.new_tensor([eps]))
    return ious - (enclose - union) / enclose


def boxes_fixture():
    g = torch.Generator().manual_seed(1)
    a = random_boxes(g, 7)
    b = random_boxes(g, 5)
    b[0] = a[0]  # identical pair: IoU 1
    b[1] = torch.tensor([300.0, 300.0, 310.0, 320.0])  # disjoint from everything
    iou = tvo.box_iou(a, b)
    giou = tvo.generalized_box_iou(a, b)
    clip = a * 1.5 - 20
    write("boxes", {
        "a": flat(a), "b": flat(b), "iou": flat(iou), "giou": flat(giou),
        "area": flat(tvo.box_area(a)),
        "toClip": flat(clip), "clipW": 90, "clipH": 80,
        "clipped": flat(tvo.clip_boxes_to_image(clip, (80, 90))),
        "cxcywh": flat(tvo.box_convert(a, "xyxy", "cxcywh")),
        "xywh": flat(tvo.box_convert(a, "xyxy", "xywh")),
    })


# ---------------------------------------------------------------- delta coder

MAX_RATIO = abs(math.log(16.0 / 1000))


def encode(p, gt, means, stds):
    px, py = (p[:, 0] + p[:, 2]) * 0.5, (p[:, 1] + p[:, 3]) * 0.5
    pw, ph = p[:, 2] - p[:, 0], p[:, 3] - p[:, 1]
    gx, gy = (gt[:, 0] + gt[:, 2]) * 0.5, (gt[:, 1] + gt[:, 3]) * 0.5
    gw, gh = gt[:, 2] - gt[:, 0], gt[:, 3] - gt[:, 1]
    d = torch.stack([(gx - px) / pw, (gy - py) / ph, torch.log(gw / pw), torch.log(gh / ph)], dim=-1)
    return (d - d.new_tensor(means)) / d.new_tensor(stds)


def decode(p, deltas, means, stds, max_shape=None):
    d = deltas * deltas.new_tensor(stds) + deltas.new_tensor(means)
    dx, dy = d[:, 0], d[:, 1]
    dw, dh = d[:, 2].clamp(-MAX_RATIO, MAX_RATIO), d[:, 3].clamp(-MAX_RATIO, MAX_RATIO)
    px, py = (p[:, 0] + p[:, 2]) * 0.5, (p[:, 1] + p[:, 3]) * 0.5
    pw, ph = p[:, 2] - p[:, 0], p[:, 3] - p[:, 1]
    gw, gh = pw * dw.exp(), ph * dh.exp()
    gx, gy = px + pw * dx, py + ph * dy
    out = torch.stack([gx - gw * 0.5, gy - gh * 0.5, gx + gw * 0.5, gy + gh * 0.5], dim=-1)
    if max_shape is not None:
        h, w = max_shape
        out[:, 0::2] = out[:, 0::2].clamp(0, w)
        out[:, 1::2] = out[:, 1::2].clamp(0, h)
    return out


def coder_fixture():
    g = torch.Generator().manual_seed(2)
    p, gt = random_boxes(g, 9), random_boxes(g, 9)
    means, stds = [0.0, 0.0, 0.0, 0.0], [0.1, 0.1, 0.2, 0.2]
    deltas = torch.randn(9, 4, generator=g)
    deltas[0, 2] = 9.0  # beyond the clamp
    deltas[1, 3] = -9.0
    write("delta_coder", {
        "means": means, "stds": stds, "priors": flat(p), "gts": flat(gt),
        "encoded": flat(encode(p, gt, means, stds)),
        "deltas": flat(deltas), "imgW": 120, "imgH": 90,
        "decoded": flat(decode(p, deltas, means, stds)),
        "decodedClipped": flat(decode(p, deltas, means, stds, (90, 120))),
    })


# ---------------------------------------------------------------- anchors and points

def anchors(octave_base_scale, scales_per_octave, ratios, stride, center_offset, h, w):
    scales = torch.tensor([2 ** (i / scales_per_octave) for i in range(scales_per_octave)]) * octave_base_scale
    ratios = torch.tensor(ratios)
    base = float(stride)
    xc, yc = center_offset * base, center_offset * base
    h_ratios = torch.sqrt(ratios)
    w_ratios = 1 / h_ratios
    ws = (base * w_ratios[:, None] * scales[None, :]).reshape(-1)  # ratio-major, then scale
    hs = (base * h_ratios[:, None] * scales[None, :]).reshape(-1)
    base_anchors = torch.stack([xc - 0.5 * ws, yc - 0.5 * hs, xc + 0.5 * ws, yc + 0.5 * hs], dim=-1)
    sx = torch.arange(0, w) * stride
    sy = torch.arange(0, h) * stride
    yy, xx = torch.meshgrid(sy, sx, indexing="ij")
    xx, yy = xx.reshape(-1), yy.reshape(-1)
    shifts = torch.stack([xx, yy, xx, yy], dim=-1).float()
    return (base_anchors[None] + shifts[:, None]).reshape(-1, 4)


def points(stride, h, w):
    xs = torch.arange(0, w) * stride
    ys = torch.arange(0, h) * stride
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    return (torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=-1) + stride // 2).float()


def priors_fixture():
    cases = []
    for (obs, spo, ratios, strides, off) in [(4, 3, [0.5, 1.0, 2.0], [8, 16, 32, 64, 128], 0.0),
                                             (8, 1, [1.0], [4, 8], 0.5)]:
        levels = []
        for lvl, (h, w) in enumerate([(3, 4), (2, 3), (1, 2), (2, 2), (1, 1)][:len(strides)]):
            levels.append({"level": lvl, "h": h, "w": w,
                           "anchors": flat(anchors(obs, spo, ratios, strides[lvl], off, h, w))})
        cases.append({"octaveBaseScale": obs, "scalesPerOctave": spo, "ratios": ratios,
                      "strides": strides, "centerOffset": off, "levels": levels})
    pts = [{"level": i, "h": h, "w": w, "points": flat(points(s, h, w))}
           for i, (s, h, w) in enumerate([(8, 3, 4), (16, 2, 3), (32, 1, 2), (64, 1, 1), (128, 1, 1)])]
    write("priors", {"anchorCases": cases, "pointStrides": [8, 16, 32, 64, 128], "points": pts})


# ---------------------------------------------------------------- max-IoU assigner

def max_iou_assign(priors, gts, pos, neg, min_pos, gt_max_assign_all, low_quality):
    n = priors.shape[0]
    if gts.shape[0] == 0 or n == 0:
        return torch.full((n,), BACKGROUND, dtype=torch.long), torch.zeros(n)
    overlaps = tvo.box_iou(gts, priors)  # [G, N]
    assigned = torch.full((n,), IGNORED, dtype=torch.long)
    max_ov, argmax_ov = overlaps.max(dim=0)
    gt_max, gt_argmax = overlaps.max(dim=1)
    assigned[(max_ov >= 0) & (max_ov < neg)] = BACKGROUND
    p = max_ov >= pos
    assigned[p] = argmax_ov[p]
    if low_quality:
        for i in range(gts.shape[0]):  # later gts overwrite earlier ones
            if gt_max[i] >= min_pos:
                if gt_max_assign_all:
                    assigned[overlaps[i] == gt_max[i]] = i
                else:
                    assigned[gt_argmax[i]] = i
    return assigned, max_ov


def assigner_fixture():
    g = torch.Generator().manual_seed(3)
    cases = []
    gts = random_boxes(g, 5)
    jitter = gts.repeat(6, 1) + torch.randn(30, 4, generator=g) * 6  # IoUs spread around the thresholds
    jitter[:, 2:] = torch.max(jitter[:, 2:], jitter[:, :2] + 1)
    priors = torch.cat([random_boxes(g, 30), jitter])
    for cfg in [(0.5, 0.4, 0.0, True, True), (0.5, 0.4, 0.0, True, False), (0.6, 0.3, 0.1, False, True),
                (0.7, 0.3, 0.3, True, True)]:
        cases.append((f"random-{cfg}", priors, gts, cfg))
    # ties: two identical gts (argmax picks the first, the low-quality loop the last), duplicated priors
    tp = torch.tensor([[0, 0, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30], [5, 5, 15, 15], [50, 50, 60, 60]],
                      dtype=torch.float)
    tg = torch.tensor([[0, 0, 10, 12], [0, 0, 10, 12], [21, 21, 40, 40]], dtype=torch.float)
    cases.append(("ties", tp, tg, (0.5, 0.4, 0.0, True, True)))
    cases.append(("ties-single", tp, tg, (0.5, 0.4, 0.0, False, True)))
    # a gt that overlaps no prior at all: with min_pos_iou 0 every zero-IoU prior is assigned to it
    far = torch.tensor([[200, 200, 210, 210]], dtype=torch.float)
    cases.append(("zero-overlap-gt", tp, torch.cat([tg[2:], far]), (0.5, 0.4, 0.0, True, True)))
    cases.append(("zero-overlap-gt-minpos", tp, torch.cat([tg[2:], far]), (0.5, 0.4, 0.01, True, True)))
    cases.append(("no-gts", tp, torch.zeros(0, 4), (0.5, 0.4, 0.0, True, True)))
    cases.append(("no-priors", torch.zeros(0, 4), tg, (0.5, 0.4, 0.0, True, True)))
    out = []
    for name, p, gt, cfg in cases:
        a, m = max_iou_assign(p, gt, *cfg)
        out.append({"name": name, "priors": flat(p), "gts": flat(gt),
                    "posIou": cfg[0], "negIou": cfg[1], "minPosIou": cfg[2],
                    "gtMaxAssignAll": cfg[3], "matchLowQuality": cfg[4],
                    "gtIndex": ints(a), "maxOverlap": flat(m)})
    write("max_iou_assigner", {"cases": out})


# ---------------------------------------------------------------- FCOS targets

def fcos_targets(points_per_level, gts, strides, ranges, center_sampling, radius, norm_on_bbox):
    num_per_lvl = [p.shape[0] for p in points_per_level]
    pts = torch.cat(points_per_level)
    rr = torch.cat([pts.new_tensor(r)[None].expand(n, 2) for r, n in zip(ranges, num_per_lvl)])
    n, ng = pts.shape[0], gts.shape[0]
    if ng == 0:
        return torch.full((n,), BACKGROUND, dtype=torch.long), torch.zeros(n, 4)
    areas = ((gts[:, 2] - gts[:, 0]) * (gts[:, 3] - gts[:, 1]))[None].repeat(n, 1)
    rr = rr[:, None, :].expand(n, ng, 2)
    gb = gts[None].expand(n, ng, 4)
    xs, ys = pts[:, 0][:, None].expand(n, ng), pts[:, 1][:, None].expand(n, ng)
    targets = torch.stack([xs - gb[..., 0], ys - gb[..., 1], gb[..., 2] - xs, gb[..., 3] - ys], -1)
    if center_sampling:
        cx, cy = (gb[..., 0] + gb[..., 2]) / 2, (gb[..., 1] + gb[..., 3]) / 2
        stride = torch.cat([cx.new_full((k, ng), s * radius) for s, k in zip(strides, num_per_lvl)])
        x0, y0, x1, y1 = cx - stride, cy - stride, cx + stride, cy + stride
        cg = torch.stack([torch.where(x0 > gb[..., 0], x0, gb[..., 0]),
                          torch.where(y0 > gb[..., 1], y0, gb[..., 1]),
                          torch.where(x1 > gb[..., 2], gb[..., 2], x1),
                          torch.where(y1 > gb[..., 3], gb[..., 3], y1)], -1)
        cb = torch.stack([xs - cg[..., 0], ys - cg[..., 1], cg[..., 2] - xs, cg[..., 3] - ys], -1)
        inside = cb.min(-1)[0] > 0
    else:
        inside = targets.min(-1)[0] > 0
    maxd = targets.max(-1)[0]
    in_range = (maxd >= rr[..., 0]) & (maxd <= rr[..., 1])
    areas[inside == 0] = INF
    areas[in_range == 0] = INF
    min_area, idx = areas.min(dim=1)
    gt_index = idx.clone()
    gt_index[min_area == INF] = BACKGROUND
    bt = targets[torch.arange(n), idx]
    if norm_on_bbox:
        bt = bt / torch.cat([bt.new_full((k, 1), float(s)) for s, k in zip(strides, num_per_lvl)])
    bt[gt_index == BACKGROUND] = 0
    return gt_index, bt


def centerness(bt):
    lr, tb = bt[:, [0, 2]], bt[:, [1, 3]]
    return torch.sqrt((lr.min(-1)[0] / lr.max(-1)[0]) * (tb.min(-1)[0] / tb.max(-1)[0]))


def fcos_fixture():
    strides = [8, 16, 32, 64, 128]
    ranges = [(-1, 64), (64, 128), (128, 256), (256, 512), (512, INF)]
    sizes = [(16, 16), (8, 8), (4, 4), (2, 2), (1, 1)]
    lvl_points = [points(s, h, w) for s, (h, w) in zip(strides, sizes)]
    g = torch.Generator().manual_seed(4)
    gts = random_boxes(g, 6, size=110.0, min_wh=6.0)
    gts[5] = gts[4]  # same area: ties go to the first
    gts = torch.cat([gts, torch.tensor([[0.0, 0.0, 127.0, 127.0], [3.0, 3.0, 9.0, 30.0]])])
    cases = []
    for name, cs, norm, gt in [("plain", False, False, gts), ("center-sampling", True, False, gts),
                               ("center-sampling-norm", True, True, gts), ("no-gts", True, True, torch.zeros(0, 4))]:
        gi, bt = fcos_targets(lvl_points, gt, strides, ranges, cs, 1.5, norm)
        pos = gi >= 0
        c = torch.zeros(gi.shape[0])
        c[pos] = centerness(bt[pos])
        cases.append({"name": name, "centerSampling": cs, "normOnBbox": norm, "gts": flat(gt),
                      "gtIndex": ints(gi), "bboxTargets": flat(bt), "centerness": flat(c)})
    write("fcos_targets", {"strides": strides, "regressRanges": [list(r) for r in ranges], "radius": 1.5,
                           "points": [flat(p) for p in lvl_points], "cases": cases})


# ---------------------------------------------------------------- contrastive loss

def contrastive(q, q_ids, k, k_ids, tau):
    """AlignDet's box contrastive loss: per id, (n*m) pairs, logits [pos, negatives] / tau, CE at 0."""
    qn, kn = F.normalize(q, dim=1), F.normalize(k, dim=1)
    losses = []
    for i in sorted(set(x for x in q_ids.tolist() if x >= 0)):
        query = qn[q_ids == i]  # [m, D]
        key = kn[k_ids == i] if (k_ids == i).any() else query  # [n, D]
        neg = torch.cat([qn[q_ids != i], kn[k_ids != i]]).detach()  # [k, D]
        m, n = query.shape[0], key.shape[0]
        qq = query[None].expand(n, m, -1).reshape(n * m, -1)
        kk = key[:, None].expand(n, m, -1).reshape(n * m, -1)
        l_pos = (qq * kk).sum(1, keepdim=True)
        l_neg = qq @ neg.T
        logits = torch.cat([l_pos, l_neg], 1) / tau
        losses.append(F.cross_entropy(logits, torch.zeros(n * m, dtype=torch.long)))
    return torch.stack(losses).mean() if losses else q.sum() * 0


def contrastive_fixture():
    g = torch.Generator().manual_seed(5)
    cases = []
    for name, q_ids, k_ids in [
        ("several-ids", [0, 0, 1, 2, -1, 3, 3, 3, -1], [0, 1, 1, -1, 2, 5, -1]),  # 3 missing from k
        ("single-id-no-negatives", [4, 4], [4]),
        ("only-background", [-1, -1], [-1, 0]),
    ]:
        q = torch.randn(len(q_ids), 8, generator=g, requires_grad=True)
        k = torch.randn(len(k_ids), 8, generator=g)
        loss = contrastive(q, torch.tensor(q_ids), k, torch.tensor(k_ids), 0.5)
        loss.backward()
        cases.append({"name": name, "dim": 8, "q": flat(q), "qIds": q_ids, "k": flat(k), "kIds": k_ids,
                      "loss": loss.item(), "gradQ": flat(q.grad)})
    write("contrastive_loss", {"temperature": 0.5, "cases": cases})


# ---------------------------------------------------------------- regression and classification losses

def losses_fixture():
    g = torch.Generator().manual_seed(6)
    out = {}
    # L1
    p = torch.randn(6, 4, generator=g, requires_grad=True)
    t = torch.randn(6, 4, generator=g)
    w = (torch.rand(6, 4, generator=g) > 0.3).float()
    l1 = (torch.abs(p - t) * w).sum() / 5.0
    l1.backward()
    out["l1"] = {"pred": flat(p), "target": flat(t), "weight": flat(w), "avgFactor": 5.0,
                 "loss": l1.item(), "grad": flat(p.grad)}
    # IoU (log) and GIoU on xyxy boxes
    tb = random_boxes(g, 6)
    pb = (tb + torch.randn(6, 4, generator=g) * 8).detach()
    pb[:, 2:] = torch.max(pb[:, 2:], pb[:, :2] + 1)
    pb[5] = torch.tensor([150.0, 150.0, 170.0, 175.0])  # no overlap with its target
    bw = torch.rand(6, generator=g)
    for name, mode in [("iou", "iou"), ("giou", "giou")]:
        pr = pb.clone().requires_grad_(True)
        ov = aligned_overlaps(pr, tb, mode)
        per = -ov.clamp(min=1e-6).log() if mode == "iou" else 1 - ov
        loss = (per * bw).sum() / 4.0
        loss.backward()
        if mode == "giou":
            ref = tvo.generalized_box_iou_loss(pb, tb, reduction="none")
            assert torch.allclose(ref, per.detach(), atol=1e-5), (ref, per)
        out[name] = {"pred": flat(pb), "target": flat(tb), "weight": flat(bw), "avgFactor": 4.0,
                     "loss": loss.item(), "grad": flat(pr.grad)}
    # sigmoid focal loss, one-hot with background rows all zero
    labels = torch.tensor([0, 2, 3, 1, 3, 3, 2])  # 3 = background for 3 classes
    x = (torch.randn(7, 3, generator=g) * 2).requires_grad_(True)
    onehot = F.one_hot(labels, 4)[:, :3].float()
    focal = tvo.sigmoid_focal_loss(x, onehot, alpha=0.25, gamma=2, reduction="sum") / 3.0
    focal.backward()
    out["focal"] = {"logits": flat(x), "labels": ints(labels), "numClasses": 3, "avgFactor": 3.0,
                    "loss": focal.item(), "grad": flat(x.grad)}
    # BCE with logits, weighted
    z = (torch.randn(8, generator=g) * 3).requires_grad_(True)
    y = torch.rand(8, generator=g)
    bwt = torch.rand(8, generator=g)
    bce = F.binary_cross_entropy_with_logits(z, y, weight=bwt, reduction="sum") / 2.5
    bce.backward()
    out["bce"] = {"logits": flat(z), "target": flat(y), "weight": flat(bwt), "avgFactor": 2.5,
                  "loss": bce.item(), "grad": flat(z.grad)}
    write("losses", out)


# ---------------------------------------------------------------- optimiser, schedules, EMA

def sgd_fixture():
    g = torch.Generator().manual_seed(7)
    a = torch.randn(3, 2, generator=g).requires_grad_(True)
    b = torch.randn(4, generator=g).requires_grad_(True)
    opt = torch.optim.SGD([a, b], lr=0.1, momentum=0.9, weight_decay=1e-4)
    init = {"a": flat(a), "b": flat(b)}
    steps = []
    for s, lr in enumerate([0.1, 0.05, 0.2, 0.01, 0.1]):
        ga = torch.randn(3, 2, generator=g)
        gb = torch.randn(4, generator=g)
        for grp in opt.param_groups:
            grp["lr"] = lr
        a.grad, b.grad = ga.clone(), (gb.clone() if s != 2 else None)  # b has no grad at step 2
        opt.step()
        steps.append({"lr": lr, "grads": {"a": flat(ga), "b": (flat(gb) if s != 2 else None)},
                      "after": {"a": flat(a), "b": flat(b)}})
    write("sgd", {"momentum": 0.9, "weightDecay": 1e-4, "shapes": {"a": [3, 2], "b": [4]}, "init": init,
                  "steps": steps})


def schedules_fixture():
    base, warm, ratio, steps, gamma = 0.01, 500, 0.001, [8, 11], 0.1
    rows = []
    iters_per_epoch = 300
    for it in [0, 1, 2, 100, 250, 299, 300, 499, 500, 501, 2399, 2400, 2401, 3299, 3300, 3599]:
        epoch = it // iters_per_epoch
        exp = len(steps)
        for i, s in enumerate(steps):
            if epoch < s:
                exp = i
                break
        regular = base * gamma ** exp
        if it < warm:
            k = (1 - it / warm) * (1 - ratio)
            lr = regular * (1 - k)
        else:
            lr = regular
        rows.append({"iteration": it, "epoch": epoch, "lr": lr})
    # warm-up reaching into a step epoch: warm-up applies on top of the stepped lr
    rows.append({"iteration": 100, "epoch": 9, "lr": base * gamma * (1 - (1 - 100 / warm) * (1 - ratio))})
    K = 1000
    mom = [{"k": k, "m": 1 - (1 - 0.996) * (math.cos(math.pi * k / K) + 1) / 2} for k in [0, 1, 250, 500, 999, 1000]]
    write("schedules", {"lr": {"baseLr": base, "warmupIters": warm, "warmupRatio": ratio, "steps": steps,
                               "gamma": gamma, "rows": rows},
                        "momentum": {"base": 0.996, "totalIters": K, "rows": mom}})


def ema_fixture():
    g = torch.Generator().manual_seed(8)
    online = {"w": torch.randn(2, 3, generator=g), "b": torch.randn(3, generator=g)}
    target = {"w": torch.randn(2, 3, generator=g), "b": torch.randn(3, generator=g)}
    m = 0.996
    after = {n: target[n] * m + online[n] * (1 - m) for n in online}
    write("ema", {"m": m, "shapes": {n: list(t.shape) for n, t in online.items()},
                  "online": {n: flat(t) for n, t in online.items()},
                  "target": {n: flat(t) for n, t in target.items()},
                  "after": {n: flat(t) for n, t in after.items()}})


if __name__ == "__main__":
    torch.manual_seed(0)
    boxes_fixture()
    coder_fixture()
    priors_fixture()
    assigner_fixture()
    fcos_fixture()
    contrastive_fixture()
    losses_fixture()
    sgd_fixture()
    schedules_fixture()
    ema_fixture()
    print("wrote", sorted(os.listdir(OUT)), "to", os.path.normpath(OUT))
