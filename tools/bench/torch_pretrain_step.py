"""The pre-training step's graph work driven from PyTorch, for `aligndet bench pretrain-step --torch PYTHON`.

Loads the spec's pre-training TorchScript graph twice (online and momentum detector), freezes the
online backbone, and per step: the online backbone without grad and neck + head with grad on view 1,
the momentum backbone, neck and head without grad on view 2, backward from the sum of the online
outputs' means, SGD (momentum 0.9, weight decay 1e-4) on neck and head, the EMA update of the momentum
neck and head. Random inputs of the bench's size. Prints one JSON line with the seconds of each
timed step, minor page faults and system seconds over the timed steps, and the peak RSS.
"""
import argparse
import json
import resource
import time

import torch


def peak_rss_mb():
    """VmHWM of this process: ru_maxrss is not used because a child spawned from the JVM inherits its parent's."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--graph", required=True)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--height", type=int, default=512)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    online = torch.jit.load(a.graph)
    momentum = torch.jit.load(a.graph)
    online.train()
    momentum.train()
    trainable = []
    for name, p in online.named_parameters():
        p.requires_grad_(not name.startswith("backbone."))
        if p.requires_grad:
            trainable.append(name)
    for p in momentum.parameters():
        p.requires_grad_(False)
    online_params = dict(online.named_parameters())
    momentum_params = dict(momentum.named_parameters())
    pairs = [(online_params[n], momentum_params[n]) for n in trainable]
    sgd = torch.optim.SGD([online_params[n] for n in trainable], lr=0.01, momentum=0.9, weight_decay=1e-4)
    shape = (a.batch, 3, a.height, a.width)
    seconds = []
    start = None
    for i in range(a.warmup + a.iters):
        if i == a.warmup:
            start = resource.getrusage(resource.RUSAGE_SELF)
        x1 = torch.randn(shape)
        x2 = torch.randn(shape)
        t0 = time.perf_counter()
        with torch.no_grad():
            feats = online.backbone_forward(x1)
        cls, box = online.head_forward(online.neck_forward(feats))
        with torch.no_grad():
            momentum.head_forward(momentum.neck_forward(momentum.backbone_forward(x2)))
        loss = sum(t.mean() for t in list(cls) + list(box))
        loss.backward()
        sgd.step()
        sgd.zero_grad(set_to_none=True)
        with torch.no_grad():
            for po, pm in pairs:
                pm.mul_(0.996).add_(po, alpha=0.004)
        if i >= a.warmup:
            seconds.append(time.perf_counter() - t0)
    end = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "minor_faults": end.ru_minflt - start.ru_minflt,
                      "system_s": end.ru_stime - start.ru_stime, "peak_rss_mb": peak_rss_mb(),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
