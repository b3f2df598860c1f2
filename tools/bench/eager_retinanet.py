"""Times torchvision's retinanet_resnet50_fpn in eager mode for `aligndet bench inference --eager`.

Random weights (no download), classifier bias 0 like the Java side of the bench (so that NMS has
work), batch 1, an image of --height x --width random pixels resized by torchvision's own transform
to --min-size/--max-size. Prints one JSON line: {"seconds": [...], "torch": ..., "torchvision": ...}.
"""
import argparse
import json
import time

import torch
import torchvision


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--min-size", type=int, default=800)
    ap.add_argument("--max-size", type=int, default=1333)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = torchvision.models.detection.retinanet_resnet50_fpn(
        weights=None, weights_backbone=None, min_size=a.min_size, max_size=a.max_size)
    with torch.no_grad():
        model.head.classification_head.cls_logits.bias.zero_()
    model.eval()
    image = torch.rand(3, a.height, a.width)
    seconds = []
    with torch.no_grad():
        for i in range(a.warmup + a.iters):
            t0 = time.perf_counter()
            model([image])
            if i >= a.warmup:
                seconds.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": seconds, "torch": torch.__version__, "torchvision": torchvision.__version__}))


if __name__ == "__main__":
    main()
