#!/usr/bin/python3
"""Writes the foreign-checkpoint fixtures `aligndet import` is tested against, with real torch.save.

Run with the interpreter that has torch (1.13 here):

    /usr/bin/python3 model-specs/generator/import_fixtures.py

Each file carries the tensor names and containers another framework writes, with the shapes of a
tiny spec (names and shapes come from graphs/<spec>.manifest.json, so they follow the committed
graphs):

  mmdet2_retinanet_tiny.pth     mmdetection 2.x: {'meta': {mmdet_version, CLASSES, config, ...},
                                'state_dict', 'optimizer'}; BN num_batches_tracked included
  mmdet3_retinanet_tiny.pth     mmdetection 3.x / mmengine: meta.dataset_meta.classes, a
                                'message_hub' holding objects of a class that pickles as
                                mmengine.logging.history_buffer.HistoryBuffer (numpy arrays inside),
                                'optimizer', 'param_schedulers'
  torchvision_retinanet_tiny.pth  torchvision references' {'model': state_dict, 'args':
                                argparse.Namespace, 'epoch'}: backbone.body.*, the newer FPN layout
                                (inner_blocks.N.0, layer_blocks.N.0, extra_blocks.p6/p7),
                                head.classification_head.conv.N.0 / cls_logits,
                                head.regression_head.conv.N.0 / bbox_reg
  torchvision_fcos_tiny.pth     a bare torchvision FCOS state_dict with the older flat FPN layout
                                (inner_blocks.N.weight); its head convs have a bias before GroupNorm
                                and it has no per-level scales: what cannot map is expected by key
  torchvision_resnet_tiny.pth   a classification ResNet state_dict (conv1, bn1, layerN, fc)
  aligndet_retinanet_tiny.pth   AlignDet's pre-training layout: online_backbone.*, target_backbone.*
                                (other values: the momentum copy) and backbone.* (the online copy
                                again), the projector in place of the classifier (retina_cls.0 / .2)
  moco_v2_tiny.pth              MoCo v2: module.encoder_q.*, module.encoder_k.*, fc.0/fc.2 MLP,
                                module.queue, module.queue_ptr
  expected.json                 per file: the format `auto` must report, the layout it must pick,
                                the names it must drop, leave unexpected or missing, and for a few
                                imported names the sum, the first values and the shape of the tensor
                                import must produce
  NAME.outputs.tensors.*        for the RetinaNet, FCOS and backbone files: what the spec's graph
                                (graphs.py, eager) computes with the weights import must produce on
                                the spec's fixture input (fixtures/SPEC/graph's 'input'): backbone.i,
                                neck.i, cls.i, reg.i (ctr.i),
                                as far as the file has weights for (an AlignDet file has no
                                classifier, a backbone file no neck or head; FCOS's reg.i are left
                                out, as torchvision's FCOS has no per-level scales)

To keep the files small, every float tensor of more than one dimension is a strided view into one
shared 4096-element storage (N(0, 0.1^2) values): torch.save writes that storage once, and the Java
reader copies each view out. Values are therefore repetitive but distinct per tensor. Vectors (biases,
norm parameters, running statistics) are |view| + 0.05, stored on their own: running variances must
be positive for the recorded outputs to be numbers.
"""
import argparse
import collections
import json
import os
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bundle  # noqa: E402
import generate  # noqa: E402
import graphs  # noqa: E402

SPECS = os.path.normpath(os.path.join(HERE, '..'))
OUT = os.path.join(SPECS, 'fixtures', 'import')
POOL = 4096
CLASSES = ('circle', 'square', 'triangle', 'star', 'cross', 'ring', 'diamond', 'hexagon')


class HistoryBuffer:
    """Stands in for mmengine's HistoryBuffer: pickles under that module and name."""

    def __init__(self, values):
        self.max_length = 1000000
        self._log_history = np.array(values, dtype=np.float64)
        self._count_history = np.ones(len(values), dtype=np.float64)


def _register(cls, module):
    """Makes pickle record cls as module.Name: a stand-in module in sys.modules (mmengine is not installed)."""
    parts = module.split('.')
    for i in range(1, len(parts) + 1):
        name = '.'.join(parts[:i])
        sys.modules.setdefault(name, types.ModuleType(name))
    cls.__module__ = module
    cls.__qualname__ = cls.__name__
    setattr(sys.modules[module], cls.__name__, cls)


_register(HistoryBuffer, 'mmengine.logging.history_buffer')


def manifest(spec):
    with open(os.path.join(SPECS, 'graphs', spec + '.manifest.json')) as f:
        m = json.load(f)
    return ({p['name']: p['shape'] for p in m['parameters']},
            {p['name']: p['shape'] for p in m['pretrain_parameters']})


class Pool:
    """Tensors as views of one storage, each at its own offset."""

    def __init__(self, seed):
        g = torch.Generator().manual_seed(seed)
        self.base = torch.randn(POOL, generator=g) * 0.1
        self.next = 0

    def tensor(self, shape):
        shape = list(shape)
        n = int(np.prod(shape)) if shape else 1
        self.next = (self.next + 37) % 1024
        if not shape:
            return self.base[self.next]
        if len(shape) == 1:
            return self.base[self.next:self.next + n].abs() + 0.05
        if n + self.next <= POOL:
            return self.base[self.next:self.next + n].view(shape)
        strides = [1] * len(shape)
        for i in range(len(shape) - 2, -1, -1):
            strides[i] = strides[i + 1] * shape[i + 1]
        strides[0] = 7
        if self.next + sum((d - 1) * st for d, st in zip(shape, strides)) >= POOL:
            strides = [1] * len(shape)
        return self.base.as_strided(shape, strides, self.next)


def with_counters(sd, names):
    """mmdetection/torch BN layers also save num_batches_tracked after running_var."""
    out = collections.OrderedDict()
    for k in names:
        out[k] = sd[k]
        if k.endswith('running_var'):
            out[k[:-len('running_var')] + 'num_batches_tracked'] = torch.tensor(1000, dtype=torch.int64)
    return out


def entry(t):
    flat = t.detach().contiguous().view(-1).double()
    return {'shape': list(t.shape), 'sum': float(flat.sum()), 'first': [float(v) for v in flat[:4]]}


def checks(target, names):
    return {n: entry(target[n]) for n in names}


def record_outputs(file_name, spec_name, layout, weights, parts=('backbone', 'neck', 'cls', 'reg', 'ctr')):
    """What the spec's graph of `layout` computes with `weights` (the names import produces) on the spec's
    fixture input, as the bundle NAME.outputs: the listed parts only, and only tensors the weights fully
    determine (a part whose parameters are not all in `weights` must not be listed)."""
    spec = generate.load_spec(spec_name)
    g = graphs.build_graph(spec, layout).eval()
    state = g.state_dict()
    needed = [k for k in state if k.split('.')[0] == 'backbone' or 'neck' in parts and k.startswith('neck.')
              or 'cls' in parts and k.startswith('bbox_head.') and not k.startswith(('bbox_head.scales',))]
    lacking = [k for k in needed if k not in weights and not ('reg' not in parts and k.startswith(('bbox_head.reg',
               'bbox_head.retina_reg', 'bbox_head.conv_reg', 'bbox_head.conv_centerness')))
               and not ('cls' not in parts and k.startswith(('bbox_head.cls', 'bbox_head.retina_cls', 'bbox_head.conv_cls')))]
    assert not lacking, '%s: no weights for %s' % (file_name, lacking[:5])
    g.load_state_dict({k: weights[k].clone() for k in state if k in weights}, strict=False)
    x = generate.normalise(spec, generate.fixture_input(spec))
    out = collections.OrderedDict()  # the input is the spec's stage fixtures' (fixtures/SPEC/graph 'input')
    with torch.no_grad():
        feats = g.backbone_forward(x)
        for i, t in enumerate(feats):
            out['backbone.%d' % i] = t
        if 'neck' in parts:
            pyr = g.neck_forward(feats)
            for i, t in enumerate(pyr):
                out['neck.%d' % i] = t
            head = g.head_forward(pyr)
            if 'cls' in parts:
                for i, t in enumerate(g.classify(head[0])):
                    out['cls.%d' % i] = t
            if 'reg' in parts:
                for i, t in enumerate(head[1]):
                    out['reg.%d' % i] = t
            if 'ctr' in parts and len(head) > 2:
                for i, t in enumerate(head[2]):
                    out['ctr.%d' % i] = t
    for k, t in out.items():
        assert torch.isfinite(t).all(), '%s: %s is not finite' % (file_name, k)
    bundle.write(os.path.join(OUT, file_name[:-len('.pth')] + '.outputs'), out)


CHECK = ['backbone.conv1.weight', 'backbone.layer4.0.bn2.running_var', 'neck.fpn_convs.3.conv.weight',
         'bbox_head.reg_convs.3.conv.weight']


def mmdet_state(pool, names):
    return collections.OrderedDict((n, pool.tensor(s)) for n, s in names.items())


def optimizer_state(sd):
    keys = [k for k in sd if not k.endswith('num_batches_tracked')][:3]
    return {'state': {i: {'momentum_buffer': sd[k] * 0.5} for i, k in enumerate(keys)},
            'param_groups': [{'lr': 0.01, 'momentum': 0.9, 'weight_decay': 0.0001, 'params': [0, 1, 2]}]}


def write_mmdet(expected):
    ft, _ = manifest('retinanet_tiny')
    for version in (2, 3):
        pool = Pool(20 + version)
        sd = with_counters(mmdet_state(pool, ft), ft)
        if version == 2:
            root = {'meta': {'mmdet_version': '2.25.0', 'CLASSES': CLASSES, 'epoch': 12, 'iter': 7330,
                             'config': "model = dict(type='RetinaNet')\n"},
                    'state_dict': sd, 'optimizer': optimizer_state(sd)}
        else:
            root = {'meta': {'mmengine_version': '0.7.4', 'dataset_meta': {'classes': CLASSES},
                             'epoch': 12, 'iter': 7330, 'seed': np.int64(42),
                             'cfg': "model = dict(type='RetinaNet')\n"},
                    'state_dict': sd,
                    'message_hub': {'log_scalars': {'train/loss': HistoryBuffer([1.5, 1.2, 0.9]),
                                                    'train/lr': HistoryBuffer([0.01, 0.01])},
                                    'runtime_info': {'epoch': 12, 'iter': 7330},
                                    'resumed_keys': {'epoch': True, 'iter': True}},
                    'optimizer': optimizer_state(sd),
                    'param_schedulers': [{'last_epoch': 12, 'base_values': [0.01]}]}
        name = 'mmdet%d_retinanet_tiny.pth' % version
        torch.save(root, os.path.join(OUT, name))
        record_outputs(name, 'retinanet_tiny', 'finetune', sd)
        expected[name] = {
            'spec': 'retinanet_tiny', 'format': 'mmdet', 'layout': 'finetune',
            'loaded': len(ft), 'dropped': [k for k in sd if k.endswith('num_batches_tracked')],
            'placeholders': ({"message_hub.log_scalars['train/loss']": 'mmengine.logging.history_buffer.HistoryBuffer',
                              "message_hub.log_scalars['train/lr']": 'mmengine.logging.history_buffer.HistoryBuffer'}
                             if version == 3 else {}),
            'checks': checks(sd, CHECK + ['bbox_head.retina_cls.weight'])}


def tv_fpn(new_layout, neck, pool, tv, target):
    """torchvision FPN names for the mmdetection neck names (extra convs as LastLevelP6P7)."""
    suffix = '.0.' if new_layout else '.'
    for n, s in neck.items():
        parts = n.split('.')
        i, kind = int(parts[2]), parts[-1]
        if parts[1] == 'lateral_convs':
            src = 'backbone.fpn.inner_blocks.%d%s%s' % (i, suffix, kind)
        elif i < 3:
            src = 'backbone.fpn.layer_blocks.%d%s%s' % (i, suffix, kind)
        else:
            src = 'backbone.fpn.extra_blocks.%s.%s' % ('p6' if i == 3 else 'p7', kind)
        tv[src] = target[n] = pool.tensor(s)


def write_torchvision(expected):
    _, pre = manifest('retinanet_tiny')
    pool = Pool(31)
    tv, target = collections.OrderedDict(), {}
    for n, s in pre.items():
        if n.startswith('backbone.'):
            tv['backbone.body.' + n[len('backbone.'):]] = target[n] = pool.tensor(s)
    tv_fpn(True, {n: s for n, s in pre.items() if n.startswith('neck.')}, pool, tv, target)
    for branch, final, head_final in (('classification', 'cls_logits', 'retina_cls'),
                                      ('regression', 'bbox_reg', 'retina_reg')):
        convs = 'cls_convs' if branch == 'classification' else 'reg_convs'
        for i in range(4):
            for kind in ('weight', 'bias'):
                n = 'bbox_head.%s.%d.conv.%s' % (convs, i, kind)
                tv['head.%s_head.conv.%d.0.%s' % (branch, i, kind)] = target[n] = pool.tensor(pre[n])
        for kind in ('weight', 'bias'):
            n = 'bbox_head.%s.%s' % (head_final, kind)
            src = pool.tensor(pre[n])
            # both libraries order a location's anchors ratio-major (w_ratios[:, None] * scales[None, :]):
            # the final layers import as they are
            tv['head.%s_head.%s.%s' % (branch, final, kind)] = target[n] = src
    args = argparse.Namespace(model='retinanet_resnet50_fpn', lr=0.01, epochs=26, data_path='/data/coco',
                              device='cuda', aspect_ratio_group_factor=3)
    root = {'model': tv, 'optimizer': optimizer_state(tv), 'args': args, 'epoch': 25}
    name = 'torchvision_retinanet_tiny.pth'
    torch.save(root, os.path.join(OUT, name))
    record_outputs(name, 'retinanet_tiny', 'pretrain', target)
    expected[name] = {
        'spec': 'retinanet_tiny', 'format': 'torchvision', 'layout': 'pretrain', 'loaded': len(pre), 'dropped': [],
        'placeholders': {'args': 'argparse.Namespace'},
        'checks': checks(target, ['backbone.conv1.weight', 'neck.lateral_convs.2.conv.bias', 'neck.fpn_convs.3.conv.weight',
                                  'neck.fpn_convs.4.conv.bias', 'bbox_head.cls_convs.2.conv.weight',
                                  'bbox_head.retina_cls.weight', 'bbox_head.retina_cls.bias',
                                  'bbox_head.retina_reg.weight', 'bbox_head.retina_reg.bias'])}

    # FCOS, torchvision 0.12's flat FPN names; head convs Conv2d(bias) + GroupNorm + ReLU
    _, pre = manifest('fcos_tiny')
    pool = Pool(32)
    tv, target = collections.OrderedDict(), {}
    for n, s in pre.items():
        if n.startswith('backbone.'):
            tv['backbone.body.' + n[len('backbone.'):]] = target[n] = pool.tensor(s)
    tv_fpn(False, {n: s for n, s in pre.items() if n.startswith('neck.')}, pool, tv, target)
    unexpected = []
    for branch, convs in (('classification', 'cls_convs'), ('regression', 'reg_convs')):
        for i in range(4):
            c = 'head.%s_head.conv.%d' % (branch, 3 * i)
            g = 'head.%s_head.conv.%d' % (branch, 3 * i + 1)
            n = 'bbox_head.%s.%d' % (convs, i)
            tv[c + '.weight'] = target[n + '.conv.weight'] = pool.tensor(pre[n + '.conv.weight'])
            tv[c + '.bias'] = pool.tensor([pre[n + '.conv.weight'][0]])
            unexpected.append(c + '.bias')
            tv[g + '.weight'] = target[n + '.gn.weight'] = pool.tensor(pre[n + '.gn.weight'])
            tv[g + '.bias'] = target[n + '.gn.bias'] = pool.tensor(pre[n + '.gn.bias'])
    for src, dst in (('head.classification_head.cls_logits', 'bbox_head.conv_cls'),
                     ('head.regression_head.bbox_reg', 'bbox_head.conv_reg'),
                     ('head.regression_head.bbox_ctrness', 'bbox_head.conv_centerness')):
        for kind in ('weight', 'bias'):
            tv[src + '.' + kind] = target[dst + '.' + kind] = pool.tensor(pre[dst + '.' + kind])
    name = 'torchvision_fcos_tiny.pth'
    torch.save(tv, os.path.join(OUT, name))
    record_outputs(name, 'fcos_tiny', 'pretrain', target, ('backbone', 'neck', 'cls', 'ctr'))
    expected[name] = {
        'spec': 'fcos_tiny', 'format': 'torchvision', 'layout': 'pretrain',
        'loaded': len(pre) - 5, 'dropped': [], 'placeholders': {},
        'unexpected': unexpected, 'missing': ['bbox_head.scales.%d.scale' % i for i in range(5)],
        'checks': checks(target, ['neck.lateral_convs.0.conv.weight', 'neck.fpn_convs.4.conv.weight',
                                  'bbox_head.cls_convs.3.gn.bias', 'bbox_head.conv_centerness.weight'])}

    # a classification ResNet
    pool = Pool(33)
    tv, target = collections.OrderedDict(), {}
    for n, s in pre.items():
        if n.startswith('backbone.'):
            tv[n[len('backbone.'):]] = target[n] = pool.tensor(s)
    tv = with_counters(tv, list(tv))
    tv['fc.weight'] = pool.tensor([10, 128])
    tv['fc.bias'] = pool.tensor([10])
    name = 'torchvision_resnet_tiny.pth'
    torch.save(tv, os.path.join(OUT, name))
    record_outputs(name, 'retinanet_tiny', 'finetune', target, ('backbone',))
    expected[name] = {
        'spec': 'retinanet_tiny', 'format': 'torchvision', 'layout': 'finetune', 'backbone_only': True,
        'loaded': sum(1 for n in pre if n.startswith('backbone.')), 'placeholders': {},
        'dropped': [k for k in tv if k.endswith('num_batches_tracked')] + ['fc.weight', 'fc.bias'],
        'checks': checks(target, ['backbone.conv1.weight', 'backbone.layer3.0.downsample.1.running_mean'])}


def write_aligndet(expected):
    _, pre = manifest('retinanet_tiny')
    online, target = Pool(41), Pool(42)

    sd = collections.OrderedDict()
    on, tg = {}, {}
    for copy, pool, store in (('online_backbone', online, on), ('target_backbone', target, tg)):
        for n, s in pre.items():
            if n.startswith('bbox_head.retina_cls.'):
                continue
            store[n] = pool.tensor(s)
            sd[copy + '.' + n] = store[n]
        for i, shape in ((0, [64, 64, 1, 1]), (2, [9 * 256, 64, 1, 1])):
            sd['%s.bbox_head.retina_cls.%d.weight' % (copy, i)] = pool.tensor(shape)
            sd['%s.bbox_head.retina_cls.%d.bias' % (copy, i)] = pool.tensor(shape[:1])
    for k in list(sd):
        if k.startswith('online_backbone.'):
            sd['backbone.' + k[len('online_backbone.'):]] = sd[k]
    root = {'meta': {'mmdet_version': '2.25.0', 'epoch': 12, 'config': "model = dict(type='SelfSupDetector')\n"},
            'state_dict': sd}
    name = 'aligndet_retinanet_tiny.pth'
    torch.save(root, os.path.join(OUT, name))
    record_outputs(name, 'retinanet_tiny', 'pretrain', on, ('backbone', 'neck', 'reg'))
    names = CHECK[:3] + ['bbox_head.retina_reg.weight']
    expected[name] = {
        'spec': 'retinanet_tiny', 'format': 'aligndet', 'layout': 'pretrain', 'loaded': len(pre) - 2,
        'absent': ['bbox_head.retina_cls.weight', 'bbox_head.retina_cls.bias'],
        'placeholders': {}, 'dropped_count': len(sd) - (len(pre) - 2),
        'checks': checks(on, names), 'momentum_checks': checks(tg, names)}



def write_moco(expected):
    _, pre = manifest('retinanet_tiny')
    q, k = Pool(51), Pool(52)
    sd = collections.OrderedDict()
    target = {}
    for prefix, pool in (('module.encoder_q.', q), ('module.encoder_k.', k)):
        names = [n for n in pre if n.startswith('backbone.')]
        part = {}
        for n in names:
            part[n[len('backbone.'):]] = pool.tensor(pre[n])
            if prefix == 'module.encoder_q.':
                target[n] = part[n[len('backbone.'):]]
        for key, t in with_counters(part, list(part)).items():
            sd[prefix + key] = t
        sd[prefix + 'fc.0.weight'] = pool.tensor([128, 128])
        sd[prefix + 'fc.0.bias'] = pool.tensor([128])
        sd[prefix + 'fc.2.weight'] = pool.tensor([32, 128])
        sd[prefix + 'fc.2.bias'] = pool.tensor([32])
    sd['module.queue'] = q.tensor([32, 64])
    sd['module.queue_ptr'] = torch.zeros(1, dtype=torch.int64)
    root = {'epoch': 200, 'arch': 'resnet50', 'state_dict': sd,
            'optimizer': {'state': {}, 'param_groups': [{'lr': 0.03, 'params': []}]}}
    name = 'moco_v2_tiny.pth'
    torch.save(root, os.path.join(OUT, name))
    record_outputs(name, 'retinanet_tiny', 'finetune', target, ('backbone',))
    loaded = sum(1 for n in pre if n.startswith('backbone.'))
    expected[name] = {
        'spec': 'retinanet_tiny', 'format': 'moco', 'layout': 'finetune', 'backbone_only': True, 'loaded': loaded,
        'placeholders': {}, 'dropped_count': len(sd) - loaded,
        'checks': checks(target, ['backbone.conv1.weight', 'backbone.layer2.0.downsample.0.weight'])}


def write_two_stage(expected):
    """An mmdetection 2.x Faster R-CNN (names as ours: nothing missing or unexpected), and a torchvision
    Faster R-CNN (torchvision >= 0.13 layout) whose RoI head is torchvision's 2fc TwoMLPHead: its
    backbone, FPN and RPN import, its box head and predictor are reported, and the spec's 4conv1fc head
    stays missing."""
    ft, pre = manifest('faster_rcnn_tiny')
    pool = Pool(41)
    sd = with_counters(mmdet_state(pool, ft), ft)
    root = {'meta': {'mmdet_version': '2.25.0', 'CLASSES': CLASSES, 'epoch': 12, 'iter': 7330,
                     'config': "model = dict(type='FasterRCNN')\n"},
            'state_dict': sd, 'optimizer': optimizer_state(sd)}
    name = 'mmdet2_faster_rcnn_tiny.pth'
    torch.save(root, os.path.join(OUT, name))
    expected[name] = {
        'spec': 'faster_rcnn_tiny', 'format': 'mmdet', 'layout': 'finetune', 'loaded': len(ft),
        'dropped': [k for k in sd if k.endswith('num_batches_tracked')], 'placeholders': {},
        'checks': checks(sd, ['backbone.conv1.weight', 'rpn_head.rpn_reg.weight', 'roi_head.bbox_head.shared_fcs.0.weight',
                              'roi_head.bbox_head.fc_reg.bias'])}

    pool = Pool(43)
    tv, target = collections.OrderedDict(), {}
    for n, s in pre.items():
        if n.startswith('backbone.'):
            tv['backbone.body.' + n[len('backbone.'):]] = target[n] = pool.tensor(s)
    for n, s in pre.items():
        if n.startswith('neck.'):
            parts = n.split('.')
            blocks = 'inner_blocks' if parts[1] == 'lateral_convs' else 'layer_blocks'
            tv['backbone.fpn.%s.%s.0.%s' % (blocks, parts[2], parts[-1])] = target[n] = pool.tensor(s)
    rpn = {'rpn_head.rpn_conv.weight': 'rpn.head.conv.0.0.weight', 'rpn_head.rpn_conv.bias': 'rpn.head.conv.0.0.bias',
           'rpn_head.rpn_cls.weight': 'rpn.head.cls_logits.weight', 'rpn_head.rpn_cls.bias': 'rpn.head.cls_logits.bias',
           'rpn_head.rpn_reg.weight': 'rpn.head.bbox_pred.weight', 'rpn_head.rpn_reg.bias': 'rpn.head.bbox_pred.bias'}
    for ours, theirs in rpn.items():
        tv[theirs] = target[ours] = pool.tensor(pre[ours])
    c = pre['neck.lateral_convs.0.conv.weight'][0]
    classes = len(CLASSES) + 1  # torchvision counts the background
    extra = {'roi_heads.box_head.fc6.weight': [128, c * 7 * 7], 'roi_heads.box_head.fc6.bias': [128],
             'roi_heads.box_head.fc7.weight': [128, 128], 'roi_heads.box_head.fc7.bias': [128],
             'roi_heads.box_predictor.cls_score.weight': [classes, 128], 'roi_heads.box_predictor.cls_score.bias': [classes],
             'roi_heads.box_predictor.bbox_pred.weight': [4 * classes, 128], 'roi_heads.box_predictor.bbox_pred.bias': [4 * classes]}
    for n, s in extra.items():
        # fc6 is too wide for the pool's strided views: rows 7 apart from its start, overlapping
        tv[n] = pool.base.as_strided(s, (7, 1), 0) if n.endswith('fc6.weight') else pool.tensor(s)
    name = 'torchvision_faster_rcnn_tiny.pth'
    torch.save({'model': tv, 'args': argparse.Namespace(model='fasterrcnn_resnet50_fpn_v2', epochs=26), 'epoch': 25},
               os.path.join(OUT, name))
    expected[name] = {
        'spec': 'faster_rcnn_tiny', 'format': 'torchvision', 'layout': 'pretrain', 'loaded': len(target), 'dropped': [],
        'placeholders': {'args': 'argparse.Namespace'},
        'missing': [n for n in pre if n.startswith('roi_head.')],
        'unexpected': list(extra),
        'checks': checks(target, ['backbone.layer1.0.conv1.weight', 'neck.fpn_convs.3.conv.bias', 'rpn_head.rpn_conv.weight',
                                  'rpn_head.rpn_reg.bias'])}


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = collections.OrderedDict()
    write_mmdet(expected)
    write_torchvision(expected)
    write_aligndet(expected)
    write_moco(expected)
    write_two_stage(expected)
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write('\n')
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print('wrote %d files, %d bytes, to %s' % (len(os.listdir(OUT)), total, OUT))


if __name__ == '__main__':
    main()
