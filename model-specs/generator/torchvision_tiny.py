#!/usr/bin/python3
"""torchvision detectors with the tiny specs' shapes, and the raw-head parity fixture built from one.

Run with the interpreter that has torch and torchvision (1.13 / 0.14 here):

    /usr/bin/python3 model-specs/generator/torchvision_tiny.py
    /usr/bin/python3 model-specs/generator/torchvision_tiny.py --r50 [DIR]   # R50 parity fixture (~150 MB,
        default model-specs/fixtures/torchvision/r50, git-ignored), checked when present and the R50 graphs exist

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

  retinanet_tiny_parity.detections.tensors.{json,bin}
                              torchvision's eager DETECTIONS of the same model on 'pixels' ([2,3,64,96], 0-255
                              RGB; 'input' above is these through the spec's mean/std): RetinaNet's own
                              postprocess_detections (per-level sigmoid over anchor x class pairs, score > 0.05,
                              top-k candidates, box decoding with its BoxCoder, clipping, batched_nms at 0.5,
                              the best detections_per_img). 'boxes', 'scores', 'labels' [N, 100, ...] padded
                              (score 0, label -1), 'count' [N]. Three deliberate differences from mmdetection's
                              post-processing are set to mmdetection's here, so that detections compare
                              exactly (four of them): P7 = p7(P6) (torchvision: p7(relu(P6))), base anchors not rounded to whole
                              pixels (torchvision rounds them), the log-scale deltas dw, dh clamped from below as
                              well as above at log(1000/16) (torchvision's BoxCoder clamps them from above only:
                              'one_sided_clamp_differs' [N] counts the detections whose box that changes), and
                              candidates/detections limits that do not
                              bind (topk_candidates 10**6, detections_per_img 100: torchvision keeps the top 1000
                              anchor x class pairs per level and 300 per image; mmdetection ranks anchors by their
                              best class, keeps 1000 per level, and 100 per image). The thresholds, the coder and
                              NMS are torchvision's own code. 'default.*' holds the unmodified model's
                              detections (ReLU, rounded anchors, its own limits), for the record.
"""
import json
import math
import os
import sys

import torch
from torch import nn
from torchvision.models.detection import FCOS, RetinaNet
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN, _resnet_fpn_extractor
from torchvision.models.resnet import BasicBlock, ResNet, resnet50
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


def anchor_sizes(s):
    """The spec's anchor sizes per level (octave_base_scale * stride * 2^(i/k)) and ratios, as AnchorGenerator takes them."""
    a = s['head']['anchor']
    k = a['scales_per_octave']
    sizes = tuple(tuple(a['octave_base_scale'] * st * 2 ** (i / k) for i in range(k)) for st in a['strides'])
    return sizes, (tuple(a['ratios']),) * len(sizes)


def tiny_retinanet(name='retinanet_tiny'):
    s = spec(name)
    return RetinaNet(backbone(s), s['num_classes'], anchor_generator=AnchorGenerator(*anchor_sizes(s)))


def tiny_fcos(name='fcos_tiny'):
    s = spec(name)
    return FCOS(backbone(s), s['num_classes'])


def r50_retinanet(name='retinanet_r50_fpn'):
    """torchvision's RetinaNet at R50 with mmdetection's P6 (LastLevelP6P7 on C5, 2048 -> 256, as torchvision's
    retinanet_resnet50_fpn_v2 builds it; the v1 builder takes P6 from P5) and the v1 head (no GroupNorm): the
    architecture of the spec, from torchvision's own classes (resnet50 with FrozenBatchNorm2d, its FPN extractor)."""
    s = spec(name)
    body = resnet50(weights=None, norm_layer=FrozenBatchNorm2d)
    backbone = _resnet_fpn_extractor(body, 5, returned_layers=[2, 3, 4], extra_blocks=LastLevelP6P7(2048, 256))
    return RetinaNet(backbone, s['num_classes'], anchor_generator=AnchorGenerator(*anchor_sizes(s)))


def calibrate_frozen_bn(m, x):
    """Sets every FrozenBatchNorm2d's statistics to its input's channel mean and variance on x, layer by layer in
    one forward pass: a deep seeded network then keeps activations of order one (the R50 has 53 norm layers)."""
    def hook(mod, inputs):
        t = inputs[0]
        mod.running_mean.copy_(t.mean((0, 2, 3)))
        mod.running_var.copy_(t.var((0, 2, 3), unbiased=False) + 1e-3)
    handles = [mod.register_forward_pre_hook(hook) for mod in m.modules() if isinstance(mod, FrozenBatchNorm2d)]
    with torch.no_grad():
        m.backbone(x)
    for h in handles:
        h.remove()


def calibrate_final_layers(m, x, g):
    """Rescales cls_logits and bbox_reg so that on x their outputs without bias have standard deviation 1.5 and 0.3,
    and redraws their biases (logits around -3): scores then spread over (0, 1) instead of saturating, and deltas
    stay moderate, so that the detections of a deep seeded network compare something."""
    with torch.no_grad():
        feats = list(m.backbone(x).values())
        for branch, final, std, bias_mean, bias_std in ((m.head.classification_head, 'cls_logits', 1.5, -3.0, 0.5),
                                                         (m.head.regression_head, 'bbox_reg', 0.3, 0.0, 0.1)):
            layer = getattr(branch, final)
            layer.bias.zero_()
            z = torch.cat([layer(branch.conv(f)).flatten() for f in feats])
            layer.weight.mul_(std / float(z.std()))
            layer.bias.copy_(bias_mean + bias_std * torch.randn(layer.bias.shape, generator=g))


def seeded_retinanet(seed=0, model=None, calibrate_on=None):
    torch.manual_seed(seed)
    m = (tiny_retinanet() if model is None else model).eval()
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, FrozenBatchNorm2d):
                n = mod.weight.shape[0]
                mod.weight.copy_(0.5 + torch.rand(n, generator=g))
                mod.bias.copy_(0.1 * torch.randn(n, generator=g))
                mod.running_mean.copy_(0.1 * torch.randn(n, generator=g))
                mod.running_var.copy_(0.5 + torch.rand(n, generator=g))
        if calibrate_on is not None:
            calibrate_frozen_bn(m, calibrate_on)
        # torchvision's head init (std 0.01) would leave the outputs mostly its biases: He-scaled weights instead
        for branch in (m.head.classification_head, m.head.regression_head):
            for conv in [c for c in branch.conv.modules() if isinstance(c, nn.Conv2d)]:
                fan_in = conv.weight[0].numel()
                conv.weight.copy_(math.sqrt(2.0 / fan_in) * torch.randn(conv.weight.shape, generator=g))
                conv.bias.copy_(0.1 * torch.randn(conv.bias.shape, generator=g))
        for final in (m.head.classification_head.cls_logits, m.head.regression_head.bbox_reg):
            final.weight.copy_(math.sqrt(1.0 / final.weight[0].numel()) * torch.randn(final.weight.shape, generator=g))
            final.bias.copy_(0.5 * torch.randn(final.bias.shape, generator=g))
        if calibrate_on is not None:
            calibrate_final_layers(m, calibrate_on, g)
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


class UnroundedAnchorGenerator(AnchorGenerator):
    """torchvision's AnchorGenerator without the rounding of its base anchors (mmdetection does not round)."""

    def generate_anchors(self, scales, aspect_ratios, dtype=torch.float32, device=torch.device("cpu")):
        scales = torch.as_tensor(scales, dtype=dtype, device=device)
        aspect_ratios = torch.as_tensor(aspect_ratios, dtype=dtype, device=device)
        h_ratios = torch.sqrt(aspect_ratios)
        w_ratios = 1 / h_ratios
        ws = (w_ratios[:, None] * scales[None, :]).view(-1)
        hs = (h_ratios[:, None] * scales[None, :]).view(-1)
        return torch.stack([-ws, -hs, ws, hs], dim=1) / 2


def eager_detections(m, x, relu_p7, gen, per_img, topk, clamp_both=False):
    """RetinaNet.forward's inference path (without its resize/normalise transform) on normalised x.

    clamp_both: the log-scale deltas dw, dh clamped from below too, at -log(1000/16), as mmdetection's
    delta2bbox does (torchvision's BoxCoder clamps them from above only).
    """
    from torchvision.models.detection.image_list import ImageList
    if clamp_both:
        coder = m.box_coder
        plain = coder.decode_single

        def decode_single(rel_codes, boxes):
            rel = rel_codes.clone()
            rel[:, 2:4] = rel[:, 2:4].clamp(min=-coder.bbox_xform_clip)
            return plain(rel, boxes)
        coder.decode_single = decode_single
        try:
            return eager_detections(m, x, relu_p7, gen, per_img, topk)
        finally:
            del coder.decode_single
    with torch.no_grad():
        feats = list(m.backbone(x).values())
        if not relu_p7:
            feats[4] = m.backbone.fpn.extra_blocks.p7(feats[3])
        head = m.head(feats)
        images = ImageList(x, [tuple(x.shape[-2:])] * x.shape[0])
        anchors = gen(images, feats)
        hw = [f.shape[-2] * f.shape[-1] for f in feats]
        a = head['cls_logits'].shape[1] // sum(hw)
        per_level = [n * a for n in hw]
        split_head = {k: list(head[k].split(per_level, dim=1)) for k in head}
        split_anchors = [list(t.split(per_level)) for t in anchors]
        old = (m.detections_per_img, m.topk_candidates)
        m.detections_per_img, m.topk_candidates = per_img, topk
        try:
            dets = m.postprocess_detections(split_head, split_anchors, images.image_sizes)
        finally:
            m.detections_per_img, m.topk_candidates = old
    n = x.shape[0]
    boxes = torch.zeros(n, per_img, 4)
    scores = torch.zeros(n, per_img)
    labels = torch.full((n, per_img), -1, dtype=torch.int64)
    count = torch.zeros(n, dtype=torch.int64)
    for i, d in enumerate(dets):
        k = d['boxes'].shape[0]
        boxes[i, :k], scores[i, :k], labels[i, :k], count[i] = d['boxes'], d['scores'], d['labels'], k
    return {'boxes': boxes, 'scores': scores, 'labels': labels, 'count': count}


def seeded_pixels(s, shape):
    """Uniform 0-255 RGB pixels (seed 7) and the same through the spec's mean and std."""
    g = torch.Generator().manual_seed(7)
    pixels = 255 * torch.rand(shape, generator=g)
    mean = torch.tensor(s['input']['mean']).view(1, 3, 1, 1)
    std = torch.tensor(s['input']['std']).view(1, 3, 1, 1)
    return pixels, (pixels - mean) / std


def unrounded_anchors(s):
    """The spec's anchors (mmdetection's octave scales, not rounded) as a torchvision anchor generator."""
    sizes, ratios = anchor_sizes(s)
    return UnroundedAnchorGenerator(sizes, ratios)


def main_r50(out):
    """The R50 parity fixture (about 150 MB, not committed): retinanet_r50_parity.pth and .detections, as the tiny
    one's, on one 320x416 image. TorchvisionDetectionParityTest runs it when it exists."""
    import bundle
    os.makedirs(out, exist_ok=True)
    s = spec('retinanet_r50_fpn')
    pixels, x = seeded_pixels(s, [1, 3, 320, 416])
    m = seeded_retinanet(model=r50_retinanet(), calibrate_on=x)
    torch.save({'model': m.state_dict()}, os.path.join(out, 'retinanet_r50_parity.pth'))
    unrounded = unrounded_anchors(s)
    dets = {'pixels': pixels}
    dets.update(eager_detections(m, x, False, unrounded, s['test']['max_per_img'], 10 ** 6, clamp_both=True))
    bundle.write(os.path.join(out, 'retinanet_r50_parity.detections'), dets)
    print('R50 detections per image: %s; wrote %s' % (dets['count'].tolist(), out))
    # float32's own share: the same model in float64, each float32 detection against its nearest of the same label
    d64 = eager_detections(m.double(), x.double(), False, unrounded, s['test']['max_per_img'], 10 ** 6, clamp_both=True)
    worst = 0.0
    for i in range(int(dets['count'][0])):
        same = d64['labels'][0] == dets['labels'][0, i]
        worst = max(worst, float((d64['boxes'][0][same].float() - dets['boxes'][0, i]).abs().amax(1).min()))
    print('float32 against float64 eager, worst box: %.3g px' % worst)


def main():
    import bundle
    if len(sys.argv) > 1 and sys.argv[1] == '--r50':
        return main_r50(sys.argv[2] if len(sys.argv) > 2 else os.path.join(OUT, 'r50'))
    os.makedirs(OUT, exist_ok=True)
    m = seeded_retinanet()
    s = spec('retinanet_tiny')
    pixels, x = seeded_pixels(s, [2, 3, 64, 96])
    torch.save({'model': m.state_dict()}, os.path.join(OUT, 'retinanet_tiny_parity.pth'))
    bundle.write(os.path.join(OUT, 'retinanet_tiny_parity'), parity_outputs(m, x))
    unrounded = unrounded_anchors(s)
    dets = {'pixels': pixels}
    dets.update(eager_detections(m, x, False, unrounded, s['test']['max_per_img'], 10 ** 6, clamp_both=True))
    one_sided = eager_detections(m, x, False, unrounded, s['test']['max_per_img'], 10 ** 6)
    differ = (one_sided['boxes'] - dets['boxes']).abs().amax(2) > 1e-3
    dets['one_sided_clamp_differs'] = differ.sum(1)
    print('boxes that differ with torchvision\'s one-sided clamp: %s' % differ.sum(1).tolist())
    default = eager_detections(m, x, True, m.anchor_generator, m.detections_per_img, m.topk_candidates)
    dets.update({'default.' + key: v for key, v in default.items()})
    bundle.write(os.path.join(OUT, 'retinanet_tiny_parity.detections'), dets)
    print('detections per image: %s (torchvision as is: %s)' % (dets['count'].tolist(), default['count'].tolist()))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print('wrote %s (%d bytes in %s)' % (', '.join(sorted(os.listdir(OUT))), total, OUT))


if __name__ == '__main__':
    main()
