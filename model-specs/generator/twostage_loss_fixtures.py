#!/usr/bin/env python3
"""Reference values for the two-stage detectors' losses (RPN and RoI head), mmdetection 2.x semantics
written with plain torch ops (not copied from mmdetection):

    /usr/bin/python3 model-specs/generator/twostage_loss_fixtures.py

Writes model-specs/fixtures/reference/twostage_losses.json:
  roi_cls     softmax cross-entropy over C + 1 outputs (background last), mean over the sampled RoIs
  roi_bbox    L1 on each positive's own class columns 4c..4c+3 of [K, 4C], summed / K
  roi_pretrain L1 of every class's columns of the positives onto their targets, summed / (K * C)
Each with the loss and its gradient with respect to the input.
"""
import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "reference")


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def ints(t):
    return [int(x) for x in t.reshape(-1).tolist()]


def main():
    torch.manual_seed(0)
    out = {}
    k, c = 7, 3
    logits = (torch.randn(k, c + 1) * 2).requires_grad_()
    labels = torch.tensor([0, 2, 3, 1, 3, 3, 0])  # 3 = background
    loss = F.cross_entropy(logits, labels, reduction="sum") / k
    loss.backward()
    out["roi_cls"] = {"logits": flat(logits), "labels": ints(labels), "numClasses": c, "loss": float(loss),
                      "grad": flat(logits.grad)}

    deltas = torch.randn(k, 4 * c).requires_grad_()
    pos_rows = torch.tensor([0, 1, 3, 6])
    pos_labels = labels[pos_rows]
    targets = torch.randn(len(pos_rows), 4)
    pred = deltas.view(k, c, 4)[pos_rows, pos_labels]
    loss = (pred - targets).abs().sum() / k
    loss.backward()
    out["roi_bbox"] = {"deltas": flat(deltas), "posRows": ints(pos_rows), "posLabels": ints(pos_labels),
                       "targets": flat(targets), "numClasses": c, "avgFactor": k, "loss": float(loss),
                       "grad": flat(deltas.grad)}

    d2 = torch.randn(k, 4 * c).requires_grad_()
    loss = (d2.view(k, c, 4)[pos_rows] - targets[:, None, :]).abs().sum() / (k * c)
    loss.backward()
    out["roi_pretrain"] = {"deltas": flat(d2), "posRows": ints(pos_rows), "targets": flat(targets), "numClasses": c,
                           "avgFactor": k, "loss": float(loss), "grad": flat(d2.grad)}

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "twostage_losses.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
