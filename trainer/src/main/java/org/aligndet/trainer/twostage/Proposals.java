package org.aligndet.trainer.twostage;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.aligndet.bridge.torch.GradMode;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.model.TwoStageDetector.RpnOutputs;
import org.aligndet.trainer.prior.AnchorGenerator;

/**
 * The RPN's proposals for a batch, on the host: each level's objectness and deltas copied once
 * (detached: proposals carry no gradient, as in mmdetection), then {@link RpnProposals} per image,
 * images in parallel. Rows of RoIs for {@link RoiExtractor} are {@code (image, x1, y1, x2, y2)}.
 */
public final class Proposals {
    private Proposals() {
    }

    /**
     * @param clip per image {@code {height, width}} the proposals are clipped to
     * @return per image, best first
     */
    public static List<RpnProposals.Result> of(RpnOutputs out, AnchorGenerator anchors, RpnProposals rule, int[][] clip) {
        PriorLayout layout = out.layout();
        int n = layout.batch(), levels = layout.levels();
        if (clip.length != n) {
            throw new IllegalArgumentException(clip.length + " clip shapes for a batch of " + n);
        }
        float[][] obj = new float[levels][];
        float[][] del = new float[levels][];
        float[][] anc = new float[levels][];
        try (GradMode g = GradMode.off()) {
            for (int l = 0; l < levels; l++) {
                obj[l] = host(out.objectness().get(l));
                del[l] = host(out.deltas().get(l));
                anc[l] = anchors.anchors(l, layout.height(l), layout.width(l));
            }
        }
        return IntStream.range(0, n).parallel().mapToObj(b -> {
            List<float[]> lg = new ArrayList<>(levels), dl = new ArrayList<>(levels), an = new ArrayList<>(levels);
            for (int l = 0; l < levels; l++) {
                int per = layout.height(l) * layout.width(l) * layout.anchors();
                lg.add(Arrays.copyOfRange(obj[l], b * per, (b + 1) * per));
                dl.add(Arrays.copyOfRange(del[l], 4 * b * per, 4 * (b + 1) * per));
                an.add(anc[l]);
            }
            return rule.propose(lg, dl, an, clip[b][0], clip[b][1]);
        }).toList();
    }

    /** {@code [N, k, H, W]} as {@code [N, H, W, k]} floats: per image, location-major, then channel. */
    private static float[] host(NDArray map) {
        try (NDArray t = map.transpose(0, 2, 3, 1)) {
            return t.toFloatArray();
        }
    }

    /** RoI rows {@code (image, x1, y1, x2, y2)} of per-image boxes {@code float[K_b * 4]}, image after image. */
    public static float[] rois(List<float[]> perImage) {
        int total = 0;
        for (float[] b : perImage) {
            total += b.length / 4;
        }
        float[] out = new float[5 * total];
        int r = 0;
        for (int i = 0; i < perImage.size(); i++) {
            float[] b = perImage.get(i);
            for (int k = 0; k < b.length / 4; k++, r++) {
                out[5 * r] = i;
                System.arraycopy(b, 4 * k, out, 5 * r + 1, 4);
            }
        }
        return out;
    }
}
