"""The scripted training graph and the traced inference template for one spec.

TorchScript stage methods (the contract the Java side calls by name; every list is one tensor per
level, finest first):

  backbone_forward(images[N,3,H,W] normalised)     -> List[Tensor]  C3..C5
  neck_forward(feats)                              -> List[Tensor]  P3..P7
  head_forward(pyramid) -> RetinaNet: (cls_feats, box_out)            box_out [N, A*4, h, w] deltas
                           FCOS:      (cls_feats, box_out, centerness) box_out [N, 4, h, w] l,t,r,b
  classify(cls_feats)                              -> List[Tensor]  logits [N, A*K | K, h, w]
  forward(images)                                  -> (logits, box_out[, centerness]) flattened per level

The methods cannot be called backbone/neck/head: those names belong to the submodules that give
parameters their mmdetection names.
"""
from typing import List, Tuple

import torch
from torch import Tensor, nn

import detectors
import postprocess


class RetinaNetGraph(nn.Module):
    def __init__(self, spec, stage: str = "finetune"):
        super().__init__()
        self.backbone = detectors.build_backbone(spec)
        self.neck = detectors.build_neck(spec, stage)
        self.bbox_head = detectors.build_head(spec)

    @torch.jit.export
    def backbone_forward(self, images: Tensor) -> List[Tensor]:
        return self.backbone(images)

    @torch.jit.export
    def neck_forward(self, feats: List[Tensor]) -> List[Tensor]:
        return self.neck(feats)

    @torch.jit.export
    def head_forward(self, pyramid: List[Tensor]) -> Tuple[List[Tensor], List[Tensor]]:
        return self.bbox_head(pyramid)

    @torch.jit.export
    def classify(self, cls_feats: List[Tensor]) -> List[Tensor]:
        return self.bbox_head.classify(cls_feats)

    def forward(self, images: Tensor) -> Tuple[List[Tensor], List[Tensor]]:
        cls_feats, box_out = self.head_forward(self.neck_forward(self.backbone_forward(images)))
        return self.classify(cls_feats), box_out


class FCOSGraph(nn.Module):
    def __init__(self, spec, stage: str = "finetune"):
        super().__init__()
        self.backbone = detectors.build_backbone(spec)
        self.neck = detectors.build_neck(spec, stage)
        self.bbox_head = detectors.build_head(spec)

    @torch.jit.export
    def backbone_forward(self, images: Tensor) -> List[Tensor]:
        return self.backbone(images)

    @torch.jit.export
    def neck_forward(self, feats: List[Tensor]) -> List[Tensor]:
        return self.neck(feats)

    @torch.jit.export
    def head_forward(self, pyramid: List[Tensor]) -> Tuple[List[Tensor], List[Tensor], List[Tensor]]:
        return self.bbox_head(pyramid)

    @torch.jit.export
    def classify(self, cls_feats: List[Tensor]) -> List[Tensor]:
        return self.bbox_head.classify(cls_feats)

    def forward(self, images: Tensor) -> Tuple[List[Tensor], List[Tensor], List[Tensor]]:
        cls_feats, box_out, ctr = self.head_forward(self.neck_forward(self.backbone_forward(images)))
        return self.classify(cls_feats), box_out, ctr


def build_graph(spec, stage: str = "finetune") -> nn.Module:
    """The training graph of a stage ("finetune": also inference's; "pretrain": its neck as the spec's
    pretrain.neck_norm says)."""
    return {"retinanet": RetinaNetGraph, "fcos": FCOSGraph}[spec["family"]](spec, stage)


def has_pretrain_graph(spec) -> bool:
    """Whether pre-training needs a graph of its own: its neck normalises differently."""
    return spec["neck"].get("norm") != spec.get("pretrain", {}).get("neck_norm")


class InferenceTemplate(nn.Module):
    """images [N,3,H,W] RGB 0-255 (H, W multiples of 32) -> dets [N,K,5], labels [N,K], raw head outputs.

    Rows past the last detection have score 0, box 0 and label -1.
    """

    def __init__(self, spec, graph: nn.Module):
        super().__init__()
        self.spec = spec
        # the submodules hang here directly so that initializers keep the graph's parameter names
        self.backbone = graph.backbone
        self.neck = graph.neck
        self.bbox_head = graph.bbox_head
        self.register_buffer("mean", torch.tensor(spec["input"]["mean"]).reshape(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(spec["input"]["std"]).reshape(1, 3, 1, 1), persistent=False)

    def forward(self, images: Tensor):
        x = (images - self.mean) / self.std
        head = self.bbox_head(self.neck(self.backbone(x)))
        outs = (self.bbox_head.classify(head[0]),) + tuple(head[1:])
        hw = torch._shape_as_tensor(images)[2:].to(torch.float32)
        h, w = hw[0], hw[1]
        if self.spec["family"] == "retinanet":
            logits, deltas = outs
            dets, labels = postprocess.retinanet(self.spec, logits, deltas, h, w)
            raw = list(logits) + list(deltas)
        else:
            logits, dist, ctr = outs
            dets, labels = postprocess.fcos(self.spec, logits, dist, ctr, h, w)
            raw = list(logits) + list(dist) + list(ctr)
        return (dets, labels, *raw)


def raw_output_names(spec) -> List[str]:
    n = len(spec["head"]["anchor"]["strides"] if spec["family"] == "retinanet" else spec["head"]["strides"])
    names = [f"cls_score_{i}" for i in range(n)] + [f"bbox_pred_{i}" for i in range(n)]
    if spec["family"] == "fcos":
        names += [f"centerness_{i}" for i in range(n)]
    return names
