"""Detector modules for the AlignDet graph contract.

Every module here is written to be *scripted* (torch.jit.script) and to carry mmdetection's
state_dict names, so that mmdetection checkpoints load by name:

  backbone.conv1.weight, backbone.bn1.{weight,bias,running_mean,running_var},
  backbone.layer1.0.conv1.weight, backbone.layer1.0.downsample.{0,1}.*,
  neck.lateral_convs.0.conv.{weight,bias}, neck.fpn_convs.0.conv.{weight,bias},
  bbox_head.cls_convs.0.conv.weight, bbox_head.retina_cls.weight, bbox_head.conv_centerness.weight, ...

Backbone normalisation keeps frozen statistics in both modes (mmdetection's norm_eval): the
statistics are non-trainable *parameters* rather than buffers, so that the JVM side (DJL lists
parameters only) can read, load and save them like any other named tensor. They never receive a
gradient: the Java side freezes every name ending in running_mean / running_var.
"""
from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class FrozenStatsBN(nn.Module):
    """BatchNorm2d with frozen statistics: y = (x - mean) / sqrt(var + eps) * weight + bias."""

    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.running_mean = nn.Parameter(torch.zeros(channels), requires_grad=False)
        self.running_var = nn.Parameter(torch.ones(channels), requires_grad=False)
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        scale = self.weight * torch.rsqrt(self.running_var + self.eps)
        shift = self.bias - self.running_mean * scale
        return x * scale.reshape(1, -1, 1, 1) + shift.reshape(1, -1, 1, 1)


class BasicBlock(nn.Module):
    expansion: int = 1

    def __init__(self, inplanes: int, planes: int, stride: int, downsample: bool):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = FrozenStatsBN(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = FrozenStatsBN(planes)
        self.has_downsample = downsample
        self.downsample = _downsample(inplanes, planes, stride) if downsample else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.downsample(x))


class Bottleneck(nn.Module):
    """mmdetection's pytorch-style bottleneck: the stride sits on the 3x3 conv."""
    expansion: int = 4

    def __init__(self, inplanes: int, planes: int, stride: int, downsample: bool):
        super().__init__()
        out = planes * 4
        self.conv1 = nn.Conv2d(inplanes, planes, 1, 1, 0, bias=False)
        self.bn1 = FrozenStatsBN(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = FrozenStatsBN(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, 1, 0, bias=False)
        self.bn3 = FrozenStatsBN(out)
        self.downsample = _downsample(inplanes, planes * 4, stride) if downsample else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + self.downsample(x))


def _downsample(inplanes: int, outplanes: int, stride: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(inplanes, outplanes, 1, stride, bias=False), FrozenStatsBN(outplanes))


class ResNet(nn.Module):
    """ResNet returning the stages named by out_indices (0-based: 1,2,3 are C3,C4,C5)."""

    def __init__(self, block: str, stage_blocks: List[int], stem_channels: int, widths: List[int],
                 out_indices: List[int]):
        super().__init__()
        cls = BasicBlock if block == "basic" else Bottleneck
        self.conv1 = nn.Conv2d(3, stem_channels, 7, 2, 3, bias=False)
        self.bn1 = FrozenStatsBN(stem_channels)
        inplanes = stem_channels
        layers = []
        for i, (n, planes) in enumerate(zip(stage_blocks, widths)):
            stride = 1 if i == 0 else 2
            blocks = []
            for j in range(n):
                s = stride if j == 0 else 1
                need_ds = j == 0 and (s != 1 or inplanes != planes * cls.expansion)
                blocks.append(cls(inplanes, planes, s, need_ds))
                inplanes = planes * cls.expansion
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.out_indices = out_indices
        self.out_channels = [widths[i] * cls.expansion for i in out_indices]

    def forward(self, x: Tensor) -> List[Tensor]:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(x, 3, 2, 1)
        outs: List[Tensor] = []
        x = self.layer1(x)
        if 0 in self.out_indices:
            outs.append(x)
        x = self.layer2(x)
        if 1 in self.out_indices:
            outs.append(x)
        x = self.layer3(x)
        if 2 in self.out_indices:
            outs.append(x)
        x = self.layer4(x)
        if 3 in self.out_indices:
            outs.append(x)
        return outs


class TrainableBN(nn.Module):
    """BatchNorm2d with batch statistics in training mode (running estimates updated, momentum 0.1)
    and the running estimates in eval mode. The statistics are non-trainable *parameters*, like the
    backbone's, so that the JVM side can read, load and save them by name; training updates them in
    place."""

    def __init__(self, channels: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.running_mean = nn.Parameter(torch.zeros(channels), requires_grad=False)
        self.running_var = nn.Parameter(torch.ones(channels), requires_grad=False)
        self.eps = eps
        self.momentum = momentum

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, True,
                                self.momentum, self.eps)
        # eval: the same affine map written out, so that the ONNX exporter keeps every tensor's name
        # (it would fold a BatchNormalization into the preceding Conv under new names)
        scale = self.weight * torch.rsqrt(self.running_var + self.eps)
        shift = self.bias - self.running_mean * scale
        return x * scale.reshape(1, -1, 1, 1) + shift.reshape(1, -1, 1, 1)


class ConvModule(nn.Module):
    """mmcv ConvModule naming: .conv, then .gn or .bn when normalised (the conv then has no bias),
    optional ReLU."""

    def __init__(self, cin: int, cout: int, k: int, stride: int = 1, gn_groups: int = 0, relu: bool = True,
                 norm: str = ""):
        super().__init__()
        if gn_groups > 0:
            norm = "GN"
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=norm == "")
        self.use_gn = norm == "GN"
        self.use_bn = norm == "BN"
        self.gn = nn.GroupNorm(gn_groups, cout) if self.use_gn else nn.Identity()
        self.bn = TrainableBN(cout) if self.use_bn else nn.Identity()
        self.relu = relu

    def forward(self, x: Tensor) -> Tensor:
        x = self.bn(self.gn(self.conv(x)))
        if self.relu:
            x = F.relu(x)
        return x


def norm_args(cfg) -> Tuple[str, int]:
    """(norm type, GN groups) of a norm config {type: GN|BN|SyncBN, num_groups}; ("", 0) for none."""
    if not cfg:
        return "", 0
    t = cfg["type"]
    if t == "GN":
        return "GN", cfg["num_groups"]
    if t in ("BN", "SyncBN"):
        return "BN", 0
    raise ValueError("unknown norm type " + t)


class FPN(nn.Module):
    """mmdetection FPN over the backbone outputs it is given, with extra levels from stride-2 convs
    (add_extra_convs "on_input" / "on_output": RetinaNet's and FCOS' P6, P7) or, with add_extra_convs
    false, from max-pooling the last output (kernel 1, stride 2: Faster/Mask R-CNN's fifth level)."""

    def __init__(self, in_channels: List[int], out_channels: int, num_outs: int, add_extra_convs: str,
                 relu_before_extra_convs: bool, norm_cfg=None):
        super().__init__()
        norm, groups = norm_args(norm_cfg)
        self.lateral_convs = nn.ModuleList([ConvModule(c, out_channels, 1, gn_groups=groups, relu=False, norm=norm)
                                            for c in in_channels])
        fpn = [ConvModule(out_channels, out_channels, 3, gn_groups=groups, relu=False, norm=norm) for _ in in_channels]
        n_extra = num_outs - len(in_channels)
        pooled = add_extra_convs in (False, None, "none")
        self.num_pooled = n_extra if pooled else 0
        for i in range(0 if pooled else n_extra):
            cin = in_channels[-1] if (i == 0 and add_extra_convs == "on_input") else out_channels
            fpn.append(ConvModule(cin, out_channels, 3, stride=2, gn_groups=groups, relu=False, norm=norm))
        self.fpn_convs = nn.ModuleList(fpn)
        self.num_ins = len(in_channels)
        self.extra_on_input = add_extra_convs == "on_input"
        self.relu_before_extra = relu_before_extra_convs

    def forward(self, feats: List[Tensor]) -> List[Tensor]:
        laterals: List[Tensor] = []
        i = 0
        for conv in self.lateral_convs:
            laterals.append(conv(feats[i]))
            i += 1
        for j in range(self.num_ins - 1, 0, -1):
            up = F.interpolate(laterals[j], size=(laterals[j - 1].shape[2], laterals[j - 1].shape[3]), mode="nearest")
            laterals[j - 1] = laterals[j - 1] + up
        outs: List[Tensor] = []
        k = 0
        for conv in self.fpn_convs:
            if k < self.num_ins:
                outs.append(conv(laterals[k]))
            elif k == self.num_ins:
                src = feats[self.num_ins - 1] if self.extra_on_input else outs[-1]
                if self.relu_before_extra and not self.extra_on_input:
                    src = F.relu(src)
                outs.append(conv(src))
            else:
                src = outs[-1]
                if self.relu_before_extra:
                    src = F.relu(src)
                outs.append(conv(src))
            k += 1
        for _ in range(self.num_pooled):
            outs.append(F.max_pool2d(outs[-1], 1, 2))
        return outs


class RetinaHead(nn.Module):
    """mmdetection RetinaHead: stacked cls/reg convs shared over levels, retina_cls, retina_reg."""

    def __init__(self, in_channels: int, feat_channels: int, stacked_convs: int, num_classes: int, num_anchors: int):
        super().__init__()
        self.cls_convs = nn.ModuleList(
            [ConvModule(in_channels if i == 0 else feat_channels, feat_channels, 3) for i in range(stacked_convs)])
        self.reg_convs = nn.ModuleList(
            [ConvModule(in_channels if i == 0 else feat_channels, feat_channels, 3) for i in range(stacked_convs)])
        self.retina_cls = nn.Conv2d(feat_channels, num_anchors * num_classes, 3, padding=1)
        self.retina_reg = nn.Conv2d(feat_channels, num_anchors * 4, 3, padding=1)

    def forward(self, pyramid: List[Tensor]) -> Tuple[List[Tensor], List[Tensor]]:
        cls_feats: List[Tensor] = []
        box_out: List[Tensor] = []
        for x in pyramid:
            c = x
            for conv in self.cls_convs:
                c = conv(c)
            r = x
            for conv in self.reg_convs:
                r = conv(r)
            cls_feats.append(c)
            box_out.append(self.retina_reg(r))
        return cls_feats, box_out

    def classify(self, cls_feats: List[Tensor]) -> List[Tensor]:
        return [self.retina_cls(c) for c in cls_feats]


class Scale(nn.Module):
    def __init__(self, value: float = 1.0):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(value, dtype=torch.float32))

    def forward(self, x: Tensor) -> Tensor:
        return x * self.scale


class FCOSHead(nn.Module):
    """mmdetection FCOSHead (GN convs, per-level Scale). box_out holds the l,t,r,b distances:
    in stride units when norm_on_bbox (relu(scale*x)), else in pixels (exp(scale*x))."""

    def __init__(self, in_channels: int, feat_channels: int, stacked_convs: int, num_classes: int,
                 gn_groups: int, num_levels: int, norm_on_bbox: bool, centerness_on_reg: bool):
        super().__init__()
        self.cls_convs = nn.ModuleList(
            [ConvModule(in_channels if i == 0 else feat_channels, feat_channels, 3, gn_groups=gn_groups)
             for i in range(stacked_convs)])
        self.reg_convs = nn.ModuleList(
            [ConvModule(in_channels if i == 0 else feat_channels, feat_channels, 3, gn_groups=gn_groups)
             for i in range(stacked_convs)])
        self.conv_cls = nn.Conv2d(feat_channels, num_classes, 3, padding=1)
        self.conv_reg = nn.Conv2d(feat_channels, 4, 3, padding=1)
        self.conv_centerness = nn.Conv2d(feat_channels, 1, 3, padding=1)
        self.scales = nn.ModuleList([Scale(1.0) for _ in range(num_levels)])
        self.norm_on_bbox = norm_on_bbox
        self.centerness_on_reg = centerness_on_reg

    def forward(self, pyramid: List[Tensor]) -> Tuple[List[Tensor], List[Tensor], List[Tensor]]:
        cls_feats: List[Tensor] = []
        box_out: List[Tensor] = []
        ctr_out: List[Tensor] = []
        lvl = 0
        for scale in self.scales:
            x = pyramid[lvl]
            c = x
            for conv in self.cls_convs:
                c = conv(c)
            r = x
            for conv in self.reg_convs:
                r = conv(r)
            d = scale(self.conv_reg(r)).float()
            if self.norm_on_bbox:
                d = F.relu(d)
            else:
                d = d.exp()
            cls_feats.append(c)
            box_out.append(d)
            ctr_out.append(self.conv_centerness(r if self.centerness_on_reg else c))
            lvl += 1
        return cls_feats, box_out, ctr_out

    def classify(self, cls_feats: List[Tensor]) -> List[Tensor]:
        return [self.conv_cls(c) for c in cls_feats]


def build_backbone(spec) -> ResNet:
    b = spec["backbone"]
    return ResNet(b["block"], b["stage_blocks"], b["stem_channels"], b["widths"], b["out_indices"])


def build_neck(spec, stage: str = "finetune") -> FPN:
    """The FPN of a stage: spec.neck.norm for fine-tuning and inference, spec.pretrain.neck_norm
    (none by default, as AlignDet's pre-training) for box-domain pre-training."""
    n = spec["neck"]
    norm = n.get("norm") if stage == "finetune" else spec.get("pretrain", {}).get("neck_norm")
    return FPN(n["in_channels"], n["out_channels"], n["num_outs"], n["add_extra_convs"], n["relu_before_extra_convs"],
               norm)


def num_anchors(spec) -> int:
    a = spec["head"]["anchor"]
    return a["scales_per_octave"] * len(a["ratios"])


def build_head(spec) -> nn.Module:
    h = spec["head"]
    cin = spec["neck"]["out_channels"]
    if spec["family"] == "retinanet":
        return RetinaHead(cin, h["feat_channels"], h["stacked_convs"], spec["num_classes"], num_anchors(spec))
    if spec["family"] == "fcos":
        return FCOSHead(cin, h["feat_channels"], h["stacked_convs"], spec["num_classes"], h["norm"]["num_groups"],
                        len(h["strides"]), h["norm_on_bbox"], h["centerness_on_reg"])
    raise ValueError("unknown family " + spec["family"])
