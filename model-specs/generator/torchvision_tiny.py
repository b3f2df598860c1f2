#!/usr/bin/python3
"""torchvision detectors with the tiny specs' shapes, and the raw-head parity fixture built from one.

Run with the interpreter that has torch and torchvision (1.13 / 0.14 here):

    /usr/bin/python3 model-specs/generator/torchvision_tiny.py

The models are torchvision's own classes (ResNet BasicBlocks, BackboneWithFPN, LastLevelP6P7,
RetinaNet, FCOS) with the widths of retinanet_tiny / fcos_tiny: a BasicBlock x [1,1,1,1] ResNet of
widths 16-128 (FrozenBatchNorm2d, as torchvision's detection models use), a 64-d FPN on C3-C5, four
64-channel head convs. export_layout_check.py loads `aligndet export --torchvision` output into them.

Written to model-specs/fixtures/torchvision/:

  retinanet_tiny_parity.pth   {'model': state_dict} of a seeded tiny torchvision RetinaNet (torchvision's
                              init; frozen BN statistics and the head re-drawn, He-scaled, so that the
                              outputs vary with the input and every anchor's output differs)
  retinanet_tiny_parity.tensors.{json,bin}
                              'input' (a normalised [2,3,64,96] tensor: uniform 0-255 pixels through the
                              spec's mean/std), and torchvision's eager outputs on it, per level i (P3..P7):
                              'fpn.i', 'cls.i' = cls_logits(conv(P_i)) [N, A*K, H, W] and 'reg.i' =
                              bbox_reg(conv(P_i)) [N, A*4, H, W], anchors in torchvision's ratio-major
                              order; checked here to be exactly what RetinaNetHead.forward concatenates.
                              torchvision's P7 is p7(relu(P6)); mmdetection's RetinaNet (and this
                              project's graphs) have no ReLU there, so 'norelu.fpn.4', 'norelu.cls.4',
                              'norelu.reg.4' hold the same model's outputs with P7 = p7(P6).
"""
import json
import math
import os
import sys

import torch
from torch import nn
from torchvision.models.detection import FCOS, RetinaNet
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.ops.feature_pyramid_network import LastLevelP6P7
from torchvision.ops.misc import FrozenBatchNorm2d

HERE = os.path.dirname(os.path.abspath(__file__))
SPECS = os.path.normpath(os.path.join(HERE, '..'))
OUT = os.path.join(SPECS, 'fixtures', 'torchvision')
sys.path.insert(0, HERE)


def spec(name):
    with open(os.path.join(SPECS, name + '.json')) as f:
        return json.load(f)


def body(s):
    """torchvision's ResNet with the spec's stem and stage widths (its own _make_layer, BasicBlock, FrozenBN)."""
    b = s['backbone']
    assert b['block'] == 'basic'
    r = ResNet(BasicBlock, b['stage_blocks'], norm_layer=FrozenBatchNorm2d)
    r.inplanes = b['stem_channels']
    r.conv1 = nn.Conv2d(3, r.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
    r.bn1 = FrozenBatchNorm2d(r.inplanes)
    for i, (n, w) in enumerate(zip(b['stage_blocks'], b['widths'])):
        setattr(r, 'layer%d' % (i + 1), r._make_layer(BasicBlock, w, n, stride=1 if i == 0 else 2))
    return r


def backbone(s):
    n = s['neck']
    extra_in = n['in_channels'][-1] if n['add_extra_convs'] == 'on_input' else n['out_channels']
    return BackboneWithFPN(body(s), {'layer2': '0', 'layer3': '1', 'layer4': '2'}, n['in_channels'], n['out_channels'],
                           extra_blocks=LastLevelP6P7(extra_in, n['out_channels']))


def tiny_retinanet(name='retinanet_tiny'):
    s = spec(name)
    a = s['head']['anchor']
    k = a['scales_per_octave']
    sizes = tuple(tuple(a['octave_base_scale'] * st * 2 ** (i / k) for i in range(k)) for st in a['strides'])
    gen = AnchorGenerator(sizes, (tuple(a['ratios']),) * len(sizes))
    return RetinaNet(backbone(s), s['num_classes'], anchor_generator=gen)


def tiny_fcos(name='fcos_tiny'):
    s = spec(name)
    return FCOS(backbone(s), s['num_classes'])


def seeded_retinanet(seed=0):
    torch.manual_seed(seed)
    m = tiny_retinanet().eval()
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, FrozenBatchNorm2d):
                n = mod.weight.shape[0]
                mod.weight.copy_(0.5 + torch.rand(n, generator=g))
                mod.bias.copy_(0.1 * torch.randn(n, generator=g))
                mod.running_mean.copy_(0.1 * torch.randn(n, generator=g))
                mod.running_var.copy_(0.5 + torch.rand(n, generator=g))
        # torchvision's head init (std 0.01) would leave the outputs mostly its biases: He-scaled weights instead
        for branch in (m.head.classification_head, m.head.regression_head):
            for conv in [c for c in branch.conv.modules() if isinstance(c, nn.Conv2d)]:
                fan_in = conv.weight[0].numel()
                conv.weight.copy_(math.sqrt(2.0 / fan_in) * torch.randn(conv.weight.shape, generator=g))
                conv.bias.copy_(0.1 * torch.randn(conv.bias.shape, generator=g))
        for final in (m.head.classification_head.cls_logits, m.head.regression_head.bbox_reg):
            final.weight.copy_(math.sqrt(1.0 / final.weight[0].numel()) * torch.randn(final.weight.shape, generator=g))
            final.bias.copy_(0.5 * torch.randn(final.bias.shape, generator=g))
    return m


def parity_outputs(m, x):
    """torchvision's eager raw head outputs per level, and the P7-without-ReLU variant."""
    out = {'input': x}
    with torch.no_grad():
        feats = list(m.backbone(x).values())
        cls_head, reg_head = m.head.classification_head, m.head.regression_head
        for i, f in enumerate(feats):
            out['fpn.%d' % i] = f
            out['cls.%d' % i] = cls_head.cls_logits(cls_head.conv(f))
            out['reg.%d' % i] = reg_head.bbox_reg(reg_head.conv(f))
        # the per-level tensors are exactly what torchvision's head returns (after its own permute and cat)
        head = m.head(feats)
        n, k = x.shape[0], cls_head.num_classes
        cat_cls = torch.cat([out['cls.%d' % i].view(n, -1, k, *f.shape[-2:]).permute(0, 3, 4, 1, 2).reshape(n, -1, k)
                             for i, f in enumerate(feats)], 1)
        cat_reg = torch.cat([out['reg.%d' % i].view(n, -1, 4, *f.shape[-2:]).permute(0, 3, 4, 1, 2).reshape(n, -1, 4)
                             for i, f in enumerate(feats)], 1)
        assert torch.equal(cat_cls, head['cls_logits']) and torch.equal(cat_reg, head['bbox_regression'])
        p7 = m.backbone.fpn.extra_blocks.p7(feats[3])
        out['norelu.fpn.4'] = p7
        out['norelu.cls.4'] = cls_head.cls_logits(cls_head.conv(p7))
        out['norelu.reg.4'] = reg_head.bbox_reg(reg_head.conv(p7))
    return out


def main():
    import bundle
    os.makedirs(OUT, exist_ok=True)
    m = seeded_retinanet()
    s = spec('retinanet_tiny')
    g = torch.Generator().manual_seed(7)
    pixels = 255 * torch.rand([2, 3, 64, 96], generator=g)
    mean = torch.tensor(s['input']['mean']).view(1, 3, 1, 1)
    std = torch.tensor(s['input']['std']).view(1, 3, 1, 1)
    x = (pixels - mean) / std
    torch.save({'model': m.state_dict()}, os.path.join(OUT, 'retinanet_tiny_parity.pth'))
    bundle.write(os.path.join(OUT, 'retinanet_tiny_parity'), parity_outputs(m, x))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print('wrote %s (%d bytes in %s)' % (', '.join(sorted(os.listdir(OUT))), total, OUT))


if __name__ == '__main__':
    main()
