#!/usr/bin/python3
"""Golden cases for COCO mask AP (iouType segm), computed by the reference: pycocotools' COCOeval.

Writes model-specs/fixtures/coco_segm/:
  cases.json    seeded synthetic cases: ground truth with polygons (one or several parts), crowd regions
                as uncompressed RLE, areas from the masks or deliberately not; detections as compressed
                RLE strings (shifted, grown, shrunk or unrelated copies of the ground truth, random
                blobs), with and without a bbox field (pycocotools then takes the area from the box),
                more than 100 per image, categories without ground truth; with pycocotools' 12 stats and
                per-category AP and AP50
  real.json     the 12 segm stats and per-category AP of cocoapi's fake segm results on the 100-image
                val2014 subset in ../shared/testdata/coco_real (the results file is copied beside it)

The reference is not on PyPI here: build it from cocoapi's source (PythonAPI at commit 8c9bcc3, the one
../shared/testdata/coco_eval/README.md names), cythonize pycocotools/_mask.pyx with Debian's cython3 and
compile it with common/maskApi.c, then run with PYTHONPATH holding that PythonAPI folder and a stub
`matplotlib` package (pyplot, collections.PatchCollection, patches.Polygon: used only for drawing):

    /usr/bin/python3 model-specs/generator/segm_golden.py --cocoapi /path/to/cocoapi

Like the shared bbox cases, every case is serialised to JSON and parsed back before it is evaluated, so
the numbers belong to exactly the values in the file. Two runs give byte-identical output.
"""
import argparse
import json
import os
import shutil

import numpy as np

np.float = float  # numpy >= 1.24 removed the alias this pycocotools revision uses; it was the builtin

from pycocotools import mask as mask_utils  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, '..', 'fixtures', 'coco_segm'))
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'testdata', 'coco_real'))
STATS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl']


def star_polygon(rng, cx, cy, radius, vertices):
    """A star-shaped polygon around (cx, cy): flat [x0, y0, x1, y1, ...] with two decimals."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, vertices))
    radii = rng.uniform(0.4, 1.0, vertices) * radius
    pts = []
    for a, r in zip(angles, radii):
        pts += [round(float(cx + r * np.cos(a)), 2), round(float(cy + r * np.sin(a)), 2)]
    return pts


def decode(segm, h, w):
    if isinstance(segm, list):
        rles = mask_utils.frPyObjects(segm, h, w)
        return mask_utils.decode(mask_utils.merge(rles))
    if isinstance(segm['counts'], list):
        return mask_utils.decode(mask_utils.frPyObjects(segm, h, w))
    return mask_utils.decode(segm)


def rle_string(m):
    r = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
    return {'size': [int(r['size'][0]), int(r['size'][1])], 'counts': r['counts'].decode('ascii')}


def rle_list(m):
    """Uncompressed RLE (counts as a list of run lengths, column-major, starting with 0s)."""
    flat = m.astype(np.uint8).flatten(order='F')
    counts, cur, run = [], 0, 0
    for v in flat:
        if v != cur:
            counts.append(run)
            cur, run = v, 0
        run += 1
    counts.append(run)
    return {'size': [int(m.shape[0]), int(m.shape[1])], 'counts': [int(c) for c in counts]}


def shift(m, dy, dx):
    out = np.zeros_like(m)
    h, w = m.shape
    ys, xs = slice(max(dy, 0), h + min(dy, 0)), slice(max(dx, 0), w + min(dx, 0))
    yd, xd = slice(max(-dy, 0), h + min(-dy, 0)), slice(max(-dx, 0), w + min(-dx, 0))
    out[ys, xs] = m[yd, xd]
    return out


def grow(m, steps):
    out = m.copy()
    for _ in range(abs(steps)):
        n = out.copy()
        for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            s = shift(out, dy, dx)
            n = np.maximum(n, s) if steps > 0 else np.minimum(n, s)
        out = n
    return out


def make_case(rng, name, description, n_images, cats, max_size, crowd_p, multi_part_p, odd_area_p, dets_per_gt,
              noise_dets, with_bbox, extra_cat):
    images, anns, dts, masks = [], [], [], {}
    for i in range(n_images):
        h, w = int(rng.integers(max_size // 3, max_size + 1)), int(rng.integers(max_size // 3, max_size + 1))
        img_id = 10 * (i + 1) + int(rng.integers(0, 5))
        images.append({'id': img_id, 'width': w, 'height': h, 'file_name': '%06d.jpg' % img_id})
        for _ in range(int(rng.integers(0, 5))):
            cat = int(rng.choice(cats))
            radius = float(min(h, w) * rng.uniform(0.03, 0.55))
            cx, cy = float(rng.uniform(0, w)), float(rng.uniform(0, h))
            crowd = rng.uniform() < crowd_p
            if crowd:
                m = np.zeros((h, w), np.uint8)
                y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
                m[y0:y0 + int(rng.integers(2, h)), x0:x0 + int(rng.integers(2, w))] = 1
                segm = rle_list(m)
            else:
                segm = [star_polygon(rng, cx, cy, radius, int(rng.integers(3, 9)))]
                if rng.uniform() < multi_part_p:
                    segm.append(star_polygon(rng, float(rng.uniform(0, w)), float(rng.uniform(0, h)), radius / 2,
                                             int(rng.integers(3, 7))))
            m = decode(segm, h, w)
            if m.sum() == 0:
                continue
            area = float(m.sum())
            if rng.uniform() < odd_area_p:
                area = round(area * float(rng.uniform(0.3, 3.0)), 3)
            ys, xs = np.nonzero(m)
            bbox = [float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1), float(ys.max() - ys.min() + 1)]
            ann = {'id': len(anns) + 1, 'image_id': img_id, 'category_id': cat, 'segmentation': segm, 'area': area,
                   'bbox': bbox, 'iscrowd': 1 if crowd else 0}
            anns.append(ann)
            masks[ann['id']] = m
            for _ in range(dets_per_gt):
                kind = rng.integers(0, 4)
                if kind == 0:
                    d = shift(m, int(rng.integers(-2, 3)), int(rng.integers(-2, 3)))
                elif kind == 1:
                    d = grow(m, int(rng.integers(-2, 3)))
                elif kind == 2:
                    d = shift(grow(m, 1), int(rng.integers(-4, 5)), int(rng.integers(-4, 5)))
                else:
                    d = m.copy()
                dcat = cat if rng.uniform() < 0.85 else int(rng.choice(cats))
                dts.append((img_id, dcat, d))
        for _ in range(noise_dets):
            d = np.zeros((h, w), np.uint8)
            y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
            d[y0:y0 + int(rng.integers(1, h // 2 + 2)), x0:x0 + int(rng.integers(1, w // 2 + 2))] = 1
            cat = int(rng.choice(cats + ([extra_cat] if extra_cat else [])))
            dts.append((img_id, cat, d))
    categories = [{'id': c, 'name': 'class_%d' % c, 'supercategory': 'shape'} for c in sorted(set(cats)
                  | ({extra_cat} if extra_cat else set()))]
    dt = []
    for img_id, cat, d in dts:
        if d.sum() == 0:
            continue
        e = {'image_id': img_id, 'category_id': cat, 'segmentation': rle_string(d),
             'score': round(float(rng.uniform(0.01, 1.0)), 4)}
        if with_bbox:
            ys, xs = np.nonzero(d)
            e['bbox'] = [float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1), float(ys.max() - ys.min() + 1)]
        dt.append(e)
    gt = {'images': images, 'annotations': anns, 'categories': categories}
    return {'name': name, 'description': description, 'gt': gt, 'dt': dt}


def evaluate(gt_dict, dt_list):
    gt = COCO()
    gt.dataset = gt_dict
    gt.createIndex()
    dt = gt.loadRes(dt_list)
    e = COCOeval(gt, dt, 'segm')
    e.evaluate()
    e.accumulate()
    e.summarize()
    prec = e.eval['precision']
    per, per50 = [], []
    for k, c in enumerate(e.params.catIds):
        p = prec[:, :, k, 0, 2]
        per.append({'category_id': int(c), 'ap': float(np.mean(p[p > -1])) if (p > -1).any() else -1.0})
        p50 = prec[0, :, k, 0, 2]
        per50.append({'category_id': int(c), 'ap': float(np.mean(p50[p50 > -1])) if (p50 > -1).any() else -1.0})
    return [float(s) for s in e.stats], list(prec.shape), per, per50


def synthetic_cases():
    rng = np.random.default_rng(20261129)
    specs = [
        ('polygons', 'polygon ground truth, shifted and resized copies as detections', 4, [1, 2, 3], 60, 0.0, 0.0, 0.0, 1, 1,
         False, None),
        ('multi_part', 'ground truth of several polygon parts', 4, [1, 2], 60, 0.0, 0.6, 0.0, 1, 2, False, None),
        ('crowd', 'crowd regions as uncompressed RLE: detections inside them are ignored', 5, [1, 2], 50, 0.35, 0.2, 0.0,
         2, 2, False, None),
        ('odd_areas', 'area fields that are not the mask areas (they decide the area ranges)', 5, [1, 2, 3], 200, 0.1,
         0.1, 0.6, 1, 1, False, None),
        ('box_areas', 'detections with a bbox field: their area ranges use the box area', 5, [1, 2, 3], 200, 0.1, 0.1,
         0.0, 1, 2, True, None),
        ('sizes', 'small, medium and large objects in images up to 320 px', 14, [1, 2, 3, 4], 320, 0.1, 0.2, 0.0, 2, 2,
         False, None),
        ('max_dets', 'more than 100 detections in an image', 2, [1], 80, 0.0, 0.0, 0.0, 30, 60, False, None),
        ('extra_category', 'detections of a category without ground truth', 4, [1, 2], 60, 0.1, 0.1, 0.0, 1, 3, False, 7),
    ]
    cases = []
    for s in specs:
        case = make_case(rng, *s)
        case = json.loads(json.dumps(case))
        stats, shape, per, per50 = evaluate(json.loads(json.dumps(case['gt'])), json.loads(json.dumps(case['dt'])))
        case.update({'stats': stats, 'precision_shape': shape, 'per_category_ap': per, 'per_category_ap50': per50})
        cases.append(case)
    return cases


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--cocoapi', required=True, help="a checkout of cocodataset/cocoapi (for results/instances_val2014_fakesegm100_results.json)")
    a = p.parse_args()
    os.makedirs(OUT, exist_ok=True)
    cases = synthetic_cases()
    meta = {'reference': 'pycocotools COCOeval (cocoapi 8c9bcc3), iouType segm, default Params', 'stats_order': STATS,
            'num_cases': len(cases)}
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump({'meta': meta, 'cases': cases}, f, separators=(',', ':'))
        f.write('\n')

    results = 'instances_val2014_fakesegm100_results.json'
    shutil.copyfile(os.path.join(a.cocoapi, 'results', results), os.path.join(OUT, results))
    gt = COCO(os.path.join(SHARED, 'instances_val2014_100.json'))
    dt = gt.loadRes(os.path.join(OUT, results))
    e = COCOeval(gt, dt, 'segm')
    e.params.imgIds = sorted(gt.getImgIds())
    e.evaluate()
    e.accumulate()
    e.summarize()
    prec = e.eval['precision']
    per = []
    for k, c in enumerate(e.params.catIds):
        q = prec[:, :, k, 0, 2]
        per.append({'category_id': int(c), 'ap': float(np.mean(q[q > -1])) if (q > -1).any() else -1.0})
    with open(os.path.join(OUT, 'real.json'), 'w') as f:
        json.dump({'reference': meta['reference'], 'annotations': '../shared/testdata/coco_real/instances_val2014_100.json',
                   'results': results, 'stats_order': STATS, 'stats': [float(s) for s in e.stats],
                   'per_category_ap': per}, f, indent=1)
        f.write('\n')
    print('wrote', len(cases), 'cases and the real case to', OUT)


if __name__ == '__main__':
    main()
