package org.aligndet.trainer.family;

import java.util.List;

/**
 * The set-prediction family (DETR): where it plugs in, not yet implemented.
 *
 * <p>Graph stages (DESIGN.md): {@code backbone}, {@code transformer(feats, mask) -> hidden states per
 * decoder layer}, {@code boxes(hs)}, {@code classify(hs)}. An implementation provides, built once
 * from its spec: the Hungarian matching of queries to boxes (class, L1 and GIoU costs), the set loss
 * (cross-entropy with a down-weighted no-object class, L1 and GIoU, per decoder layer), and decoding
 * (top queries by score, cxcywh to xyxy). AlignDet pre-training matches queries to proposals with
 * the same matcher; the query embeddings are copied, not averaged, into the momentum detector.
 */
public non-sealed interface SetPredictionFamily extends DetectorFamily {
    /** The stage methods of a set-prediction graph. */
    List<String> METHODS = List.of("backbone_forward", "transformer", "boxes", "classify");

    /** Object queries per image. */
    int numQueries();
}
