#!/usr/bin/python3
"""Checks `aligndet export --mmdet / --torchvision` output on the Python side (run by hand; the Java tests
need no Python). Run with the interpreter that has torch and torchvision (1.13 / 0.14 here):

    /usr/bin/python3 model-specs/generator/export_layout_check.py \
        --mmdet M.pth [--mmdet ...] --torchvision-retinanet T.pth [--strict-retinanet T2.pth] \
        [--torchvision-fcos F.pth] [--parity]

For every file: torch.load works, with weights_only=True too (nothing but tensors and plain containers).
--mmdet: the layout mmdetection's load_checkpoint reads: state_dict of mmdetection names (each a parameter of
the spec's graphs per its manifest, or a BN's num_batches_tracked), meta.CLASSES and
meta.dataset_meta.classes equal when present, meta.aligndet provenance.
--strict-retinanet: a torchvision RetinaNet of retinanet_tiny's shapes (torchvision_tiny.py) loads
state['model'] with load_state_dict(strict=True); with --parity, the file came from the parity fixture via
import and export, and must equal it tensor for tensor. --torchvision-retinanet / --torchvision-fcos:
loaded with strict=False; the missing and unexpected keys are printed.
"""
import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import torchvision_tiny  # noqa: E402

SPECS = os.path.normpath(os.path.join(HERE, '..'))


def load(path):
    plain = torch.load(path, map_location='cpu')
    safe = torch.load(path, map_location='cpu', weights_only=True)
    assert plain.keys() == safe.keys(), path
    return plain


def manifest_names(spec):
    with open(os.path.join(SPECS, 'graphs', spec + '.manifest.json')) as f:
        m = json.load(f)
    return {p['name'] for p in m['parameters']} | {p['name'] for p in m['pretrain_parameters']}


def check_mmdet(path):
    ckpt = load(path)
    assert set(ckpt) == {'state_dict', 'meta'}, sorted(ckpt)
    meta, sd = ckpt['meta'], ckpt['state_dict']
    spec = meta['aligndet']['spec']
    names = manifest_names(spec)
    odd = [k for k in sd if k not in names and not k.endswith('num_batches_tracked')]
    assert not odd, odd
    assert all(isinstance(v, torch.Tensor) for v in sd.values())
    if 'CLASSES' in meta:
        assert list(meta['CLASSES']) == list(meta['dataset_meta']['classes'])
    print('%s: torch.load ok (weights_only too); mmdetection layout: %d tensors of %s, CLASSES %s, aligndet %s'
          % (path, len(sd), spec, meta.get('CLASSES', '(none)'),
             {k: v for k, v in meta['aligndet'].items() if k in ('stage', 'spec', 'not_expressible', 'missing')}))


def check_torchvision(path, model, strict, parity=False):
    ckpt = load(path)
    sd = ckpt['model']
    if strict:
        model.load_state_dict(sd, strict=True)
        print('%s: torch.load ok; %s.load_state_dict(strict=True) ok (%d tensors)' % (path, type(model).__name__, len(sd)))
    else:
        r = model.load_state_dict(sd, strict=False)
        print('%s: torch.load ok; %s.load_state_dict(strict=False): missing %s, unexpected %s'
              % (path, type(model).__name__, r.missing_keys, r.unexpected_keys))
    if parity:
        ref = torch.load(os.path.join(SPECS, 'fixtures', 'torchvision', 'retinanet_tiny_parity.pth'))['model']
        written = {k: v for k, v in sd.items() if not k.endswith('num_batches_tracked')}
        assert set(written) == set(ref), 'names differ'
        assert all(torch.equal(written[k], ref[k]) for k in ref)
        print('  equal, name by name (in the spec order, not torchvision order) and bit for bit, to the torchvision model it was imported from (%d tensors)' % len(ref))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--mmdet', action='append', default=[])
    p.add_argument('--strict-retinanet', action='append', default=[])
    p.add_argument('--torchvision-retinanet', action='append', default=[])
    p.add_argument('--torchvision-fcos', action='append', default=[])
    p.add_argument('--parity', action='store_true')
    a = p.parse_args()
    for f in a.mmdet:
        check_mmdet(f)
    for f in a.strict_retinanet:
        check_torchvision(f, torchvision_tiny.tiny_retinanet(), True, a.parity)
    for f in a.torchvision_retinanet:
        check_torchvision(f, torchvision_tiny.tiny_retinanet(), False)
    for f in a.torchvision_fcos:
        check_torchvision(f, torchvision_tiny.tiny_fcos(), False)


if __name__ == '__main__':
    main()
