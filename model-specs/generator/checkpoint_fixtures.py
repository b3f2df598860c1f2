#!/usr/bin/python3
"""Writes the torch checkpoint fixtures the Java checkpoint reader is tested against.

Run with the interpreter that has torch (1.13 here):

    /usr/bin/python3 model-specs/generator/checkpoint_fixtures.py

Outputs go to model-specs/fixtures/checkpoints/ and are deterministic, except legacy.pth, whose
storage key torch takes from a memory address (the Java side only checks that it is refused):

  state_dict.pth         mmdetection-style {'state_dict': OrderedDict, 'meta': {...}} from torch.save
  dtypes.pth             every dtype plus views: transpose, step slice, storage offset, shared
                         storage, stride-0 expand, 0-dim scalar, empty tensor
  legacy.pth             the pre-1.6 (non-zip) format, _use_new_zipfile_serialization=False
  evil_*.pth             hand-assembled pickles that would call os.system & co. if executed
  evil_zipslip.pth       a valid checkpoint plus an entry named 'archive/../../evil.sh'
  truncated.pth          a valid checkpoint cut to 60% of its length
  oversized_storage.pth  a storage declaring 2**40 float32 elements over a 16-byte data entry
  view_out_of_range.pth  a tensor view reaching past the end of its (valid) storage
  expected.json          for the non-hostile files: tensor name -> dtype, shape, flat values
                         (float16/bfloat16 as the exact float after conversion) and the meta

If java_written.pth exists in that folder (written by the Java test utility WriteJavaFixture),
it is loaded with torch.load and compared with java_written.expected.json, which the Java side
writes next to it (same layout as one file's entry in expected.json). The result is printed and
written to java_written.torch_check.txt; a mismatch exits non-zero.
"""
import collections
import io
import json
import math
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, '..', 'fixtures', 'checkpoints'))


def tensor_entry(t):
    t = t.detach()
    dtype = str(t.dtype).replace('torch.', '')
    flat = t.contiguous().view(-1)
    if t.dtype == torch.bool:
        values = [bool(v) for v in flat.tolist()]
    elif t.dtype.is_floating_point:
        values = [float(v) for v in flat.double().tolist()]
    else:
        values = [int(v) for v in flat.tolist()]
    return {'dtype': dtype, 'shape': list(t.shape), 'values': values}


def to_json(v):
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, dict):
        return {str(k): to_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    return v


def torch_zip(path, pkl, data=None, extra=None, top='archive'):
    """A zip laid out like torch.save's: <top>/data.pkl, <top>/data/<key>, <top>/version."""
    with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_STORED) as z:
        def put(name, payload):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, payload)
        put(top + '/data.pkl', pkl)
        for key, payload in (data or {}).items():
            put(top + '/data/' + key, payload)
        put(top + '/version', b'3\n')
        for name, payload in (extra or {}).items():
            put(name, payload)


class FakeStorage:
    """Stands in for a storage when hand-building a pickle with a persistent id."""

    def __init__(self, cls, key, numel):
        self.pid = ('storage', cls, key, 'cpu', numel)


class FakeTensor:
    """Pickles as torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, {})."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


def fake_pickle(obj):
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=2)
    p.persistent_id = lambda o: o.pid if isinstance(o, FakeStorage) else None
    p.dump(obj)
    return buf.getvalue()


def write_state_dict(expected):
    torch.manual_seed(0)

    class Backbone(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(3, 4, 3, bias=False)
            self.bn1 = torch.nn.BatchNorm2d(4)

    class Det(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = Backbone()

    model = Det()
    with torch.no_grad():
        model.backbone.bn1.running_mean.copy_(torch.tensor([0.5, -0.25, 1.0, 2.0]))
        model.backbone.bn1.running_var.copy_(torch.tensor([1.5, 0.75, 2.0, 0.125]))
        model.backbone.bn1.num_batches_tracked.fill_(1234)
    sd = model.state_dict()
    meta = {
        'mmdet_version': '2.25.0',
        'epoch': 12,
        'iter': 7330,
        'lr': [0.02, 0.002],
        'big': 2 ** 40,
        'neg': -7,
        'eps': 1e-4,
        'config': {'model': {'type': 'AlignDet', 'pair': (1, 2, 'x')}, 'none': None,
                   'flag': True, 'off': False},
        'np_f64': np.float64(0.125),
        'np_i64': np.int64(-42),
    }
    torch.save({'state_dict': sd, 'meta': meta}, os.path.join(OUT, 'state_dict.pth'))
    expected['state_dict.pth'] = {
        'tensors': {k: tensor_entry(v) for k, v in sd.items()},
        'state_dict_keys': list(sd.keys()),
        'metadata_keys': list(sd._metadata.keys()),
        'meta': to_json(meta),
    }


def write_dtypes(expected):
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.25 - 1.0
    shared = torch.arange(10, dtype=torch.float32) * 1.5
    tensors = collections.OrderedDict()
    tensors['f32'] = base
    tensors['f64'] = torch.tensor([math.pi, -1e300, 5e-324], dtype=torch.float64)
    tensors['f16'] = torch.tensor([0.1, -2.5, 65504.0, 1e-5, 3.14159], dtype=torch.float32).half()
    tensors['bf16'] = torch.tensor([0.1, 3.14159, -1e10, 1e-20], dtype=torch.float32).bfloat16()
    tensors['i64'] = torch.tensor([-2 ** 62, -1, 0, 7, 2 ** 62 + 5], dtype=torch.int64)
    tensors['i32'] = torch.tensor([-2 ** 31, 5, 2 ** 31 - 1], dtype=torch.int32)
    tensors['i16'] = torch.tensor([-300, 300], dtype=torch.int16)
    tensors['i8'] = torch.tensor([-128, 127], dtype=torch.int8)
    tensors['u8'] = torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8)
    tensors['bool'] = torch.tensor([True, False, True])
    tensors['transposed'] = base.t()
    tensors['stepped'] = base[:, 1::2]
    tensors['offset'] = base.view(-1)[5:9]
    tensors['shared_a'] = shared[:6].view(2, 3)
    tensors['shared_b'] = shared[4:]
    tensors['expanded'] = torch.arange(3, dtype=torch.int64).expand(2, 3)
    tensors['scalar'] = torch.tensor(3.5)
    tensors['empty'] = torch.zeros(0, 3)
    torch.save(tensors, os.path.join(OUT, 'dtypes.pth'))
    expected['dtypes.pth'] = {'tensors': {k: tensor_entry(v) for k, v in tensors.items()}}


def write_legacy():
    torch.save({'w': torch.ones(2)}, os.path.join(OUT, 'legacy.pth'),
               _use_new_zipfile_serialization=False)


def write_hostile():
    cmd = b'touch /tmp/aligndet_pwned'
    arg = b'X' + struct.pack('<I', len(cmd)) + cmd
    evil = {
        # GLOBAL posix.system, then REDUCE with a 1-tuple
        'evil_reduce.pth': b'\x80\x02cposix\nsystem\n' + arg + b'\x85R.',
        # INST os.system with the argument after a MARK
        'evil_inst.pth': b'\x80\x02(' + arg + b'ios\nsystem\n.',
        # OBJ: MARK, class, args
        'evil_obj.pth': b'\x80\x02(cos\nsystem\n' + arg + b'o.',
        # NEWOBJ: subprocess.Popen(cmd)
        'evil_newobj.pth': b'\x80\x02csubprocess\nPopen\n' + arg + b'\x85\x81.',
        # protocol 4: STACK_GLOBAL builtins.eval, REDUCE
        'evil_stack_global.pth': b'\x80\x04\x8c\x08builtins\x8c\x04eval\x93'
                                 + b'\x8c\x031+1\x85R.',
    }
    for name, pkl in evil.items():
        torch_zip(os.path.join(OUT, name), pkl)

    ok = fake_pickle({'w': FakeTensor(FakeStorage(torch.FloatStorage, '0', 4), 0, (4,), (1,))})
    torch_zip(os.path.join(OUT, 'evil_zipslip.pth'), ok, data={'0': b'\0' * 16},
              extra={'archive/../../evil.sh': b'#!/bin/sh\ntouch /tmp/aligndet_pwned\n'})

    big = 2 ** 40
    pkl = fake_pickle({'w': FakeTensor(FakeStorage(torch.FloatStorage, '0', big), 0, (big,), (1,))})
    torch_zip(os.path.join(OUT, 'oversized_storage.pth'), pkl, data={'0': b'\0' * 16})

    pkl = fake_pickle({'w': FakeTensor(FakeStorage(torch.FloatStorage, '0', 4), 0, (3,), (2,))})
    torch_zip(os.path.join(OUT, 'view_out_of_range.pth'), pkl, data={'0': b'\0' * 16})

    buf = io.BytesIO()
    torch.save({'w': torch.arange(64, dtype=torch.float32)}, buf)
    whole = buf.getvalue()
    with open(os.path.join(OUT, 'truncated.pth'), 'wb') as f:
        f.write(whole[: len(whole) * 6 // 10])


def same_value(got, want):
    if isinstance(want, float) and isinstance(got, float):
        return got == want or (math.isnan(got) and math.isnan(want))
    if isinstance(want, dict):
        return (isinstance(got, dict) and list(got.keys()) == list(want.keys())
                and all(same_value(got[k], want[k]) for k in want))
    if isinstance(want, list):
        return (isinstance(got, (list, tuple)) and len(got) == len(want)
                and all(same_value(g, w) for g, w in zip(got, want)))
    return type(got) == type(want) and got == want


def check_java_written():
    path = os.path.join(OUT, 'java_written.pth')
    if not os.path.exists(path):
        print('java_written.pth not present; skipping the torch.load check')
        return True
    with open(os.path.join(OUT, 'java_written.expected.json')) as f:
        want = json.load(f)
    lines = ['torch %s loads java_written.pth' % torch.__version__]
    root = torch.load(path)
    sd = root['state_dict']
    failures = []
    if not isinstance(sd, collections.OrderedDict):
        failures.append('state_dict is %s, not OrderedDict' % type(sd).__name__)
    if list(sd.keys()) != list(want['tensors'].keys()):
        failures.append('state_dict keys %s != %s' % (list(sd.keys()), list(want['tensors'].keys())))
    for name, w in want['tensors'].items():
        got = tensor_entry(sd[name]) if name in sd else None
        ok = got is not None and got['dtype'] == w['dtype'] and got['shape'] == w['shape'] \
            and same_value(got['values'], w['values'])
        lines.append('%-4s tensor %s %s%s' % ('OK' if ok else 'FAIL', name, w['dtype'], w['shape']))
        if not ok:
            failures.append('tensor %s: got %s, want %s' % (name, got, w))
    meta_ok = same_value(to_json(root['meta']), want['meta'])
    lines.append('%-4s meta %s' % ('OK' if meta_ok else 'FAIL', json.dumps(want['meta'], sort_keys=True)))
    if not meta_ok:
        failures.append('meta: got %r, want %r' % (root['meta'], want['meta']))
    lines.append('FAILED: ' + '; '.join(failures) if failures else 'OK: java_written.pth matches java_written.expected.json')
    text = '\n'.join(lines) + '\n'
    print(text, end='')
    with open(os.path.join(OUT, 'java_written.torch_check.txt'), 'w') as f:
        f.write(text)
    return not failures


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = collections.OrderedDict()
    write_state_dict(expected)
    write_dtypes(expected)
    write_legacy()
    write_hostile()
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
    print('wrote fixtures to', OUT)
    if not check_java_written():
        sys.exit(1)


if __name__ == '__main__':
    main()
