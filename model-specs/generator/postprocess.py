"""Decoding, pre-NMS top-k and multi-class NMS written to trace into ONNX with dynamic N, H, W.

Sizes that depend on the input are never turned into Python ints: every top-k runs over a tensor
padded with enough dummy entries (score -1) that k is a constant.
"""
import math
from typing import List

import torch
from torch import Tensor
from torchvision.ops import nms as tv_nms

BBOX_CLAMP = abs(math.log(16.0 / 1000))  # mmdetection's wh_ratio_clip for DeltaXYWHBBoxCoder


class MultiClassNMS(torch.autograd.Function):
    """ONNX NonMaxSuppression semantics: boxes [N,M,4] xyxy, scores [N,C,M] -> selected [S,3] (n, c, m)."""

    @staticmethod
    def forward(ctx, boxes, scores, max_per_class: int, iou: float, score_thr: float):
        out = []
        for n in range(boxes.shape[0]):
            for c in range(scores.shape[1]):
                s = scores[n, c]
                idx = torch.nonzero(s > score_thr).reshape(-1)
                if idx.numel() == 0:
                    continue
                keep = tv_nms(boxes[n, idx], s[idx], iou)[:max_per_class]
                sel = idx[keep]
                out.append(torch.stack([torch.full_like(sel, n), torch.full_like(sel, c), sel], 1))
        if not out:
            return torch.zeros((0, 3), dtype=torch.int64)
        return torch.cat(out, 0)

    @staticmethod
    def symbolic(g, boxes, scores, max_per_class, iou, score_thr):
        return g.op("NonMaxSuppression", boxes, scores,
                    g.op("Constant", value_t=torch.tensor([max_per_class], dtype=torch.int64)),
                    g.op("Constant", value_t=torch.tensor([iou], dtype=torch.float32)),
                    g.op("Constant", value_t=torch.tensor([score_thr], dtype=torch.float32)))


def _pad(x: Tensor, n: int, value: float) -> Tensor:
    """Appends n entries filled with value along dim 1."""
    reps = [1, n] + [1] * (x.dim() - 2)
    pad = (x[:, :1] * 0 + value).repeat(reps)
    return torch.cat([x, pad], 1)


def _flatten(t: Tensor, per_loc: int) -> Tensor:
    """[N, A*C, H, W] -> [N, H*W*A, C]: location-major, then anchor, as mmdetection flattens."""
    n = t.shape[0]
    return t.permute(0, 2, 3, 1).reshape(n, -1, per_loc)


def _grid(h, w, stride: int, offset: float) -> Tensor:
    """Centres [h*w, 2] (x, y), row-major."""
    ys = (torch.arange(h, dtype=torch.float32) + offset) * stride
    xs = (torch.arange(w, dtype=torch.float32) + offset) * stride
    yy = ys.reshape(-1, 1).expand(-1, xs.shape[0]).reshape(-1)
    xx = xs.reshape(1, -1).expand(ys.shape[0], -1).reshape(-1)
    return torch.stack([xx, yy], 1)


def base_anchors(anchor_cfg, stride: int) -> Tensor:
    """[A, 4] anchors centred on 0, ratio-major then scale, as mmdetection's AnchorGenerator."""
    scales = torch.tensor([anchor_cfg["octave_base_scale"] * 2 ** (i / anchor_cfg["scales_per_octave"])
                           for i in range(anchor_cfg["scales_per_octave"])], dtype=torch.float32)
    ratios = torch.tensor(anchor_cfg["ratios"], dtype=torch.float32)
    h_ratios = torch.sqrt(ratios)
    w_ratios = 1 / h_ratios
    ws = (stride * w_ratios[:, None] * scales[None, :]).reshape(-1)
    hs = (stride * h_ratios[:, None] * scales[None, :]).reshape(-1)
    c = anchor_cfg.get("center_offset", 0.0) * stride
    return torch.stack([c - 0.5 * ws, c - 0.5 * hs, c + 0.5 * ws, c + 0.5 * hs], 1)


def anchors_for(anchor_cfg, stride: int, h, w) -> Tensor:
    base = base_anchors(anchor_cfg, stride)
    centres = _grid(h, w, stride, 0.0)
    shifts = torch.cat([centres, centres], 1)
    return (shifts[:, None, :] + base[None, :, :]).reshape(-1, 4)


def delta_decode(anchors: Tensor, deltas: Tensor, means, stds, img_h, img_w) -> Tensor:
    d = deltas * torch.tensor(stds) + torch.tensor(means)
    px = (anchors[..., 0] + anchors[..., 2]) * 0.5
    py = (anchors[..., 1] + anchors[..., 3]) * 0.5
    pw = anchors[..., 2] - anchors[..., 0]
    ph = anchors[..., 3] - anchors[..., 1]
    dw = d[..., 2].clamp(min=-BBOX_CLAMP, max=BBOX_CLAMP)
    dh = d[..., 3].clamp(min=-BBOX_CLAMP, max=BBOX_CLAMP)
    gx = px + pw * d[..., 0]
    gy = py + ph * d[..., 1]
    gw = pw * dw.exp()
    gh = ph * dh.exp()
    return _clip(torch.stack([gx - gw * 0.5, gy - gh * 0.5, gx + gw * 0.5, gy + gh * 0.5], -1), img_h, img_w)


def _clip(b: Tensor, img_h: Tensor, img_w: Tensor) -> Tensor:
    """Clips xyxy boxes to [0, w] x [0, h]; img_h, img_w are 0-dim float tensors (dynamic in ONNX)."""
    w, h = img_w, img_h
    x1 = torch.min(b[..., 0].clamp(min=0), w)
    y1 = torch.min(b[..., 1].clamp(min=0), h)
    x2 = torch.min(b[..., 2].clamp(min=0), w)
    y2 = torch.min(b[..., 3].clamp(min=0), h)
    return torch.stack([x1, y1, x2, y2], -1)


def _top(rank: Tensor, k: int, *tensors: Tensor):
    """Pads to at least k entries, keeps the k best by rank [N, M]; gathers each [N, M, C]."""
    rank = _pad(rank, k, -1.0)
    _, idx = rank.topk(k, dim=1)
    out = []
    for t in tensors:
        t = _pad(t, k, 0.0 if t is not tensors[0] else -1.0)
        out.append(torch.gather(t, 1, idx[..., None].expand(-1, -1, t.shape[2])))
    return out


def _nms_and_pack(test_cfg, boxes: Tensor, scores: Tensor):
    """boxes [N,M,4], scores [N,M,C] -> dets [N,K,5], labels [N,K] (K = max_per_img)."""
    n, m, c = boxes.shape[0], boxes.shape[1], scores.shape[2]
    k = test_cfg["max_per_img"]
    scores_t = scores.transpose(1, 2).contiguous()  # [N, C, M]
    sel = MultiClassNMS.apply(boxes, scores_t, k, test_cfg["nms_iou"], test_cfg["score_thr"])
    flat = scores_t.reshape(-1)
    keep_idx = sel[:, 0] * (c * m) + sel[:, 1] * m + sel[:, 2]
    kept = torch.full_like(flat, -1.0).index_put((keep_idx,), flat[keep_idx])
    kept = _pad(kept.reshape(n, c * m), k, -1.0)
    vals, idx = kept.topk(k, dim=1)
    valid = vals > 0
    idx = idx.clamp(max=c * m - 1)
    labels = torch.div(idx, m, rounding_mode="floor")
    box_idx = idx - labels * m
    picked = torch.gather(boxes, 1, box_idx[..., None].expand(-1, -1, 4))
    vf = valid.to(torch.float32)
    dets = torch.cat([picked * vf[..., None], (vals * vf)[..., None]], 2)
    labels = torch.where(valid, labels, torch.full_like(labels, -1))
    return dets, labels


def retinanet(spec, logits: List[Tensor], deltas: List[Tensor], img_h, img_w):
    anchor_cfg = spec["head"]["anchor"]
    coder = spec["head"]["bbox_coder"]
    k = spec["num_classes"]
    nms_pre = spec["test"]["nms_pre"]
    all_boxes, all_scores = [], []
    for lvl, stride in enumerate(anchor_cfg["strides"]):
        h, w = logits[lvl].shape[2], logits[lvl].shape[3]
        scores = _flatten(logits[lvl], k).sigmoid()
        d = _flatten(deltas[lvl], 4)
        anchors = anchors_for(anchor_cfg, stride, h, w)[None].expand(d.shape[0], -1, -1)
        rank = scores.max(dim=2)[0]
        scores, d, anchors = _top(rank, nms_pre, scores, d, anchors)
        all_boxes.append(delta_decode(anchors, d, coder["target_means"], coder["target_stds"], img_h, img_w))
        all_scores.append(scores)
    return _nms_and_pack(spec["test"], torch.cat(all_boxes, 1), torch.cat(all_scores, 1))


def fcos(spec, logits: List[Tensor], dist: List[Tensor], ctr: List[Tensor], img_h, img_w):
    head = spec["head"]
    k = spec["num_classes"]
    nms_pre = spec["test"]["nms_pre"]
    all_boxes, all_scores = [], []
    for lvl, stride in enumerate(head["strides"]):
        h, w = logits[lvl].shape[2], logits[lvl].shape[3]
        scores = _flatten(logits[lvl], k).sigmoid()
        c = _flatten(ctr[lvl], 1).sigmoid()
        d = _flatten(dist[lvl], 4)
        if head["norm_on_bbox"]:
            d = d * stride
        points = _grid(h, w, stride, 0.5)[None].expand(d.shape[0], -1, -1)
        scores = scores * c
        rank = scores.max(dim=2)[0]
        scores, d, points = _top(rank, nms_pre, scores, d, points)
        boxes = torch.stack([points[..., 0] - d[..., 0], points[..., 1] - d[..., 1],
                             points[..., 0] + d[..., 2], points[..., 1] + d[..., 3]], -1)
        all_boxes.append(_clip(boxes, img_h, img_w))
        all_scores.append(scores)
    return _nms_and_pack(spec["test"], torch.cat(all_boxes, 1), torch.cat(all_scores, 1))
