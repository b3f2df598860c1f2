"""Two-stage detectors (Faster R-CNN, Mask R-CNN) for the AlignDet graph contract.

TorchScript stage methods (every list one tensor per level, finest first):

  backbone_forward(images[N,3,H,W] normalised) -> List[Tensor]   C2..C5
  neck_forward(feats)                          -> List[Tensor]   P2..P6 (P6: max-pool of P5)
  rpn(pyramid)                                 -> List[Tensor]   L objectness maps [N, A, h, w], then
                                                                 L delta maps [N, 4A, h, w] (channel 4a+k)
  roi_head_forward(pooled[K, C, 7, 7])         -> List[Tensor]   [shared fc features [K, F], deltas [K, 4*classes]]
  classify(features[K, F])                     -> List[Tensor]   [logits [K, classes + 1]] (background last)
  mask_head_forward(pooled[K, C, 14, 14])      -> List[Tensor]   [mask logits [K, classes, 28, 28]] (Mask R-CNN)

The RoI and mask heads' methods end in _forward because roi_head is the submodule that gives their
parameters mmdetection's names (as backbone_forward and neck_forward for the dense graphs).

RoIAlign is not part of the TorchScript graph: the JVM side pools the RoIs itself (DJL cannot load
torchvision's operators). The ONNX inference template does contain it, as ONNX RoiAlign (opset 16,
half_pixel, adaptive sampling), with mmdetection's level mapping.

Parameter names are mmdetection's (rpn_head.rpn_conv, roi_head.bbox_head.shared_convs.0.conv,
roi_head.bbox_head.shared_fcs.0, fc_cls, fc_reg, roi_head.mask_head.convs.0.conv, upsample,
conv_logits). The modules are written from mmdetection's documented structure, not copied.
"""
import math
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torchvision.ops import roi_align as tv_roi_align

import detectors
import postprocess


def is_two_stage(spec) -> bool:
    return spec["family"] in ("faster_rcnn", "mask_rcnn")


def rpn_anchor_cfg(spec):
    """The RPN's anchors in the dense generator's terms (one scale per level: octave_base_scale = scale)."""
    a = spec["rpn_head"]["anchor"]
    scales = a.get("scales", [8])
    assert len(scales) == 1, "one anchor scale per level"
    return {"octave_base_scale": scales[0], "scales_per_octave": 1, "ratios": a.get("ratios", [0.5, 1.0, 2.0]),
            "center_offset": a.get("center_offset", 0.0), "strides": a.get("strides", [4, 8, 16, 32, 64])}


class RPNHead(nn.Module):
    """mmdetection RPNHead: a shared 3x3 conv (+ReLU), rpn_cls (A sigmoid logits), rpn_reg (4A deltas)."""

    def __init__(self, cin: int, feat: int, num_anchors: int):
        super().__init__()
        self.rpn_conv = nn.Conv2d(cin, feat, 3, 1, 1)
        self.rpn_cls = nn.Conv2d(feat, num_anchors, 1)
        self.rpn_reg = nn.Conv2d(feat, 4 * num_anchors, 1)

    def forward(self, pyramid: List[Tensor]) -> List[Tensor]:
        obj: List[Tensor] = []
        reg: List[Tensor] = []
        for x in pyramid:
            h = F.relu(self.rpn_conv(x))
            obj.append(self.rpn_cls(h))
            reg.append(self.rpn_reg(h))
        return obj + reg


class Shared4Conv1FCBBoxHead(nn.Module):
    """mmdetection ConvFCBBoxHead with 4 shared convs and 1 shared fc, then fc_cls and fc_reg
    (class-specific, reg_class_agnostic=False)."""

    def __init__(self, cin: int, conv_out: int, fc_out: int, roi_size: int, num_classes: int, num_convs: int,
                 norm_cfg):
        super().__init__()
        norm, groups = detectors.norm_args(norm_cfg)
        convs = []
        c = cin
        for _ in range(num_convs):
            convs.append(detectors.ConvModule(c, conv_out, 3, gn_groups=groups, relu=True, norm=norm))
            c = conv_out
        self.shared_convs = nn.ModuleList(convs)
        self.shared_fcs = nn.ModuleList([nn.Linear(c * roi_size * roi_size, fc_out)])
        self.fc_cls = nn.Linear(fc_out, num_classes + 1)
        self.fc_reg = nn.Linear(fc_out, 4 * num_classes)

    def forward(self, pooled: Tensor) -> List[Tensor]:
        x = pooled
        for conv in self.shared_convs:
            x = conv(x)
        x = x.flatten(1)
        for fc in self.shared_fcs:
            x = F.relu(fc(x))
        return [x, self.fc_reg(x)]

    def classify(self, x: Tensor) -> List[Tensor]:
        return [self.fc_cls(x)]


class FCNMaskHead(nn.Module):
    """mmdetection FCNMaskHead: 4 3x3 convs (+ReLU), a 2x deconvolution (+ReLU), conv_logits per class."""

    def __init__(self, cin: int, conv_out: int, num_convs: int, num_classes: int):
        super().__init__()
        convs = []
        c = cin
        for _ in range(num_convs):
            convs.append(detectors.ConvModule(c, conv_out, 3, relu=True))
            c = conv_out
        self.convs = nn.ModuleList(convs)
        self.upsample = nn.ConvTranspose2d(conv_out, conv_out, 2, 2)
        self.conv_logits = nn.Conv2d(conv_out, num_classes, 1)

    def forward(self, pooled: Tensor) -> Tensor:
        x = pooled
        for conv in self.convs:
            x = conv(x)
        return self.conv_logits(F.relu(self.upsample(x)))


class RoIHead(nn.Module):
    """Holds bbox_head and (Mask R-CNN) mask_head so that names read roi_head.bbox_head.*, roi_head.mask_head.*."""

    def __init__(self, bbox_head: nn.Module, mask_head: nn.Module):
        super().__init__()
        self.bbox_head = bbox_head
        self.mask_head = mask_head


def build_roi_head(spec) -> RoIHead:
    r = spec["roi_head"]
    cin = spec["neck"]["out_channels"]
    k = spec["num_classes"]
    bbox = Shared4Conv1FCBBoxHead(cin, r["conv_out_channels"], r["fc_out_channels"], r.get("roi_size", 7), k,
                                  r.get("num_shared_convs", 4), r.get("norm"))
    mask: nn.Module = nn.Identity()
    if spec["family"] == "mask_rcnn":
        m = r["mask"]
        mask = FCNMaskHead(cin, m["conv_out_channels"], m.get("num_convs", 4), k)
    return RoIHead(bbox, mask)


class FasterRCNNGraph(nn.Module):
    def __init__(self, spec, stage: str = "finetune"):
        super().__init__()
        self.backbone = detectors.build_backbone(spec)
        self.neck = detectors.build_neck(spec, stage)
        a = spec["rpn_head"]["anchor"]
        self.rpn_head = RPNHead(spec["neck"]["out_channels"], spec["rpn_head"]["feat_channels"], len(a.get("ratios", [0.5, 1.0, 2.0])))
        self.roi_head = build_roi_head(spec)

    @torch.jit.export
    def backbone_forward(self, images: Tensor) -> List[Tensor]:
        return self.backbone(images)

    @torch.jit.export
    def neck_forward(self, feats: List[Tensor]) -> List[Tensor]:
        return self.neck(feats)

    @torch.jit.export
    def rpn(self, pyramid: List[Tensor]) -> List[Tensor]:
        return self.rpn_head(pyramid)

    @torch.jit.export
    def roi_head_forward(self, pooled: Tensor) -> List[Tensor]:
        return self.roi_head.bbox_head(pooled)

    @torch.jit.export
    def classify(self, features: Tensor) -> List[Tensor]:
        return self.roi_head.bbox_head.classify(features)

    def forward(self, images: Tensor) -> List[Tensor]:
        return self.rpn(self.neck_forward(self.backbone_forward(images)))


class MaskRCNNGraph(FasterRCNNGraph):
    @torch.jit.export
    def mask_head_forward(self, pooled: Tensor) -> List[Tensor]:
        return [self.roi_head.mask_head(pooled)]


def build_graph(spec, stage: str = "finetune") -> nn.Module:
    return MaskRCNNGraph(spec, stage) if spec["family"] == "mask_rcnn" else FasterRCNNGraph(spec, stage)


# ---------------------------------------------------------------- initialisation

def mmdet_init(graph: nn.Module, seed: int):
    """mmdetection's initialisation of a two-stage detector: kaiming (fan_out) backbone convs and
    RoI-head convs, xavier-uniform FPN convs and shared fcs, N(0, 0.01) RPN convs and fc_cls,
    N(0, 0.001) fc_reg, unit norms, zero biases."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in graph.named_parameters():
            if name.endswith("running_var") or (p.dim() == 1 and name.endswith("weight")):
                p.fill_(1.0)
            elif p.dim() == 1:
                p.zero_()
            elif name.startswith("rpn_head.") or name.startswith("roi_head.bbox_head.fc_cls"):
                p.normal_(0, 0.01, generator=g)
            elif name.startswith("roi_head.bbox_head.fc_reg"):
                p.normal_(0, 0.001, generator=g)
            elif name.startswith("neck.") or name.startswith("roi_head.bbox_head.shared_fcs"):
                fan_in = p[0].numel()
                fan_out = p.shape[0] * (p[0, 0].numel() if p.dim() > 2 else 1)
                a = math.sqrt(6.0 / (fan_in + fan_out))
                p.uniform_(-a, a, generator=g)
            else:  # backbone, shared convs, mask head convs and deconvolution: kaiming normal, fan_out, ReLU
                fan_out = p.shape[0] * (p[0, 0].numel() if p.dim() > 2 else 1)
                if name.endswith("upsample.weight"):  # ConvTranspose2d weight is [in, out, k, k]
                    fan_out = p.shape[1] * p[0, 0].numel()
                p.normal_(0, math.sqrt(2.0 / fan_out), generator=g)


# ---------------------------------------------------------------- the ONNX inference template

class RoiAlign16(torch.autograd.Function):
    """torchvision's roi_align (aligned=True, adaptive sampling) that exports as ONNX RoiAlign-16 with
    coordinate_transformation_mode half_pixel (torchvision 0.14 only exports the opset-11 form,
    which has no aligned mode)."""

    @staticmethod
    def forward(ctx, feat, rois, spatial_scale: float, size: int):
        return tv_roi_align(feat, rois, (size, size), spatial_scale, 0, True)

    @staticmethod
    def symbolic(g, feat, rois, spatial_scale, size):
        zero = g.op("Constant", value_t=torch.tensor(0, dtype=torch.int64))
        batch = g.op("Cast", g.op("Gather", rois, zero, axis_i=1), to_i=7)  # int64
        boxes = g.op("Slice", rois, g.op("Constant", value_t=torch.tensor([1])), g.op("Constant", value_t=torch.tensor([5])),
                     g.op("Constant", value_t=torch.tensor([1])))
        return g.op("RoiAlign", feat, boxes, batch, coordinate_transformation_mode_s="half_pixel", mode_s="avg",
                    output_height_i=size, output_width_i=size, sampling_ratio_i=0, spatial_scale_f=spatial_scale)


def map_levels(rois: Tensor, levels: int, finest_scale: float = 56.0) -> Tensor:
    """mmdetection's SingleRoIExtractor level of each RoI: floor(log2(sqrt(w h) / 56 + 1e-6)) in [0, levels)."""
    scale = torch.sqrt((rois[:, 3] - rois[:, 1]) * (rois[:, 4] - rois[:, 2]))
    lvl = torch.floor(torch.log2(scale / finest_scale + 1e-6))
    return lvl.clamp(min=0, max=levels - 1)


def pool(feats: List[Tensor], rois: Tensor, strides: List[int], size: int) -> Tensor:
    """RoIAlign of every RoI on its mapped level: each level pools all RoIs, masked sums combine them
    (no data-dependent shapes in the exported graph)."""
    lvl = map_levels(rois, len(strides))
    out = None
    for l, s in enumerate(strides):
        p = RoiAlign16.apply(feats[l], rois, 1.0 / s, size)
        m = (lvl == l).to(p.dtype)[:, None, None, None]
        out = p * m if out is None else out + p * m
    return out


def rpn_proposals(spec, rpn_out: List[Tensor], img_h, img_w):
    """Test-time proposals [N, K, 4] and their validity [N, K] (K = rpn test max_per_img)."""
    cfg = rpn_anchor_cfg(spec)
    test = spec["rpn_head"]["test"]
    levels = len(cfg["strides"])
    obj, deltas = rpn_out[:levels], rpn_out[levels:]
    boxes, scores = [], []
    for lvl, stride in enumerate(cfg["strides"]):
        h, w = obj[lvl].shape[2], obj[lvl].shape[3]
        s = postprocess._flatten(obj[lvl], 1).sigmoid()
        d = postprocess._flatten(deltas[lvl], 4)
        anchors = postprocess.anchors_for(cfg, stride, h, w)[None].expand(d.shape[0], -1, -1)
        s, d, anchors = postprocess._top(s[..., 0], test["nms_pre"], s, d, anchors)
        b = postprocess.delta_decode(anchors, d, [0.0] * 4, [1.0] * 4, img_h, img_w)
        nonempty = (b[..., 2] - b[..., 0] > 0) & (b[..., 3] - b[..., 1] > 0)
        boxes.append(b)
        scores.append(torch.where(nonempty, s[..., 0], torch.full_like(s[..., 0], -1.0)))
    all_boxes = torch.cat(boxes, 1)                                   # [N, L*P, 4]
    rows = []                                                         # one NMS class per level
    for lvl in range(levels):
        parts = [scores[j] if j == lvl else torch.full_like(scores[j], -1.0) for j in range(levels)]
        rows.append(torch.cat(parts, 1))
    per_level = torch.stack(rows, 1)                                  # [N, L, L*P]
    n, c, m = per_level.shape[0], levels, all_boxes.shape[1]
    k = test["max_per_img"]
    sel = postprocess.MultiClassNMS.apply(all_boxes, per_level, k, test["nms_iou"], 0.0)
    flat = per_level.reshape(-1)
    keep_idx = sel[:, 0] * (c * m) + sel[:, 1] * m + sel[:, 2]
    kept = torch.full_like(flat, -1.0).index_put((keep_idx,), flat[keep_idx])
    kept = postprocess._pad(kept.reshape(n, c * m), k, -1.0)
    vals, idx = kept.topk(k, dim=1)
    idx = idx.clamp(max=c * m - 1)
    box_idx = idx - torch.div(idx, m, rounding_mode="floor") * m
    picked = torch.gather(all_boxes, 1, box_idx[..., None].expand(-1, -1, 4))
    valid = vals > 0
    return picked * valid[..., None].to(picked.dtype), valid


def with_batch_index(boxes: Tensor) -> Tensor:
    """[N, K, 4] -> RoI rows [N*K, 5] (image index, xyxy), without a Python int from a dynamic size."""
    b = torch.ones_like(boxes[:, :, 0]).cumsum(0) - 1
    return torch.cat([b[..., None], boxes], 2).reshape(-1, 5)


class TwoStageTemplate(nn.Module):
    """images [N,3,H,W] RGB 0-255 -> dets [N,K,5], labels [N,K] (+ masks [N,K,28,28] for Mask R-CNN:
    the probabilities of each detection's own class; pasting into the image happens on the JVM)."""

    def __init__(self, spec, graph: nn.Module):
        super().__init__()
        self.spec = spec
        self.backbone = graph.backbone
        self.neck = graph.neck
        self.rpn_head = graph.rpn_head
        self.roi_head = graph.roi_head
        self.with_mask = spec["family"] == "mask_rcnn"
        self.register_buffer("mean", torch.tensor(spec["input"]["mean"]).reshape(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(spec["input"]["std"]).reshape(1, 3, 1, 1), persistent=False)

    def forward(self, images: Tensor):
        spec = self.spec
        x = (images - self.mean) / self.std
        pyramid = self.neck(self.backbone(x))
        hw = torch._shape_as_tensor(images)[2:].to(torch.float32)
        h, w = hw[0], hw[1]
        proposals, valid = rpn_proposals(spec, self.rpn_head(pyramid), h, w)
        n = proposals.shape[0]
        roi_strides = spec["roi_head"].get("featmap_strides", rpn_anchor_cfg(spec)["strides"][:4])
        pooled = pool(pyramid, with_batch_index(proposals), roi_strides, spec["roi_head"].get("roi_size", 7))
        feats, deltas = self.roi_head.bbox_head(pooled)
        c = spec["num_classes"]
        probs = self.roi_head.bbox_head.classify(feats)[0].softmax(1)[:, :c]
        probs = probs * valid.reshape(-1, 1).to(probs.dtype)                           # [N*K, C]
        coder = spec["roi_head"].get("bbox_coder", {})
        priors = proposals.reshape(-1, 1, 4).expand(-1, c, 4)
        boxes = postprocess.delta_decode(priors, deltas.reshape(-1, c, 4), coder.get("target_means", [0.0] * 4),
                                         coder.get("target_stds", [0.1, 0.1, 0.2, 0.2]), h, w)     # [N*K, C, 4]
        eye = torch.eye(c, dtype=probs.dtype)
        sparse = (probs[:, :, None] * eye[None]).reshape(n, -1, c)                   # [N, K*C, C]
        dets, labels = postprocess._nms_and_pack(spec["test"], boxes.reshape(n, -1, 4), sparse)
        if not self.with_mask:
            return dets, labels
        kept = labels >= 0
        rois = with_batch_index(dets[..., :4])
        mask_pooled = pool(pyramid, rois, roi_strides, spec["roi_head"]["mask"].get("roi_size", 14))
        logits = self.roi_head.mask_head(mask_pooled)                                 # [N*D, C, 28, 28]
        own = labels.clamp(min=0).reshape(-1, 1, 1, 1).expand(-1, 1, logits.shape[2], logits.shape[3])
        masks = torch.gather(logits, 1, own).sigmoid().reshape(n, -1, logits.shape[2], logits.shape[3])
        return dets, labels, masks * kept[..., None, None].to(masks.dtype)


def output_names(spec) -> List[str]:
    return ["dets", "labels"] + (["masks"] if spec["family"] == "mask_rcnn" else [])


# ---------------------------------------------------------------- fixtures

def fixture_rois(spec, images_u8, count: int = 6) -> Tensor:
    """Fixed RoIs (image, xyxy) spread over the fixture images and over the pooling levels."""
    n, h, w = images_u8.shape[0], images_u8.shape[2], images_u8.shape[3]
    rows = []
    for i in range(count):
        b = i % n
        size = min(h, w) * (0.25 + 0.6 * i / max(1, count - 1))
        x1 = (i * 7) % max(1, int(w - size))
        y1 = (i * 5) % max(1, int(h - size))
        rows.append([float(b), float(x1), float(y1), float(x1 + size), float(y1 + size * 0.8)])
    return torch.tensor(rows, dtype=torch.float32)


def stage_fixtures(spec, scripted, x: Tensor, images_u8) -> dict:
    out = {"input_u8": images_u8, "input": x}
    rois = fixture_rois(spec, images_u8)
    strides = spec["roi_head"].get("featmap_strides", rpn_anchor_cfg(spec)["strides"][:4])
    with torch.no_grad():
        feats = scripted.backbone_forward(x)
        pyr = scripted.neck_forward(feats)
        rpn = scripted.rpn(pyr)
        pooled = pool(pyr, rois, strides, spec["roi_head"].get("roi_size", 7))
        roi = scripted.roi_head_forward(pooled)
        logits = scripted.classify(roi[0])
        if spec["family"] == "mask_rcnn":
            pooled14 = pool(pyr, rois, strides, spec["roi_head"]["mask"].get("roi_size", 14))
            out["mask_pooled"] = pooled14
            out["mask_head.0"] = scripted.mask_head_forward(pooled14)[0]
    for i, t in enumerate(feats):
        out[f"backbone.{i}"] = t
    for i, t in enumerate(pyr):
        out[f"neck.{i}"] = t
    for i, t in enumerate(rpn):
        out[f"rpn.{i}"] = t
    out["rois"] = rois
    out["pooled"] = pooled
    out["roi_head.0"], out["roi_head.1"] = roi[0], roi[1]
    out["classify.0"] = logits[0]
    return out


def method_outputs(spec) -> dict:
    levels = spec["neck"]["num_outs"]
    m = {"backbone_forward": len(spec["backbone"]["out_indices"]), "neck_forward": levels, "rpn": 2 * levels,
         "roi_head_forward": 2, "classify": 1}
    if spec["family"] == "mask_rcnn":
        m["mask_head_forward"] = 1
    return m
