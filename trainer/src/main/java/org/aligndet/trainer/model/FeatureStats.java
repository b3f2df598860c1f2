package org.aligndet.trainer.model;

import java.util.Map;

/**
 * Feature magnitudes for the metrics log: the root mean square of each pyramid level
 * ({@code rms_p0..}) and of the classification features ({@code rms_cls0..}), finest level first.
 * AlignDet's FPN norm exists to keep these calibrated between pre-training and fine-tuning.
 */
public final class FeatureStats {
    private FeatureStats() {
    }

    /** Adds the head's feature RMS values to {@code logged}. */
    public static void log(Map<String, Double> logged, HeadOutputs head) {
        double[] p = HeadOutputs.rms(head.pyramid());
        for (int l = 0; l < p.length; l++) {
            logged.put("rms_p" + l, p[l]);
        }
        double[] c = HeadOutputs.rms(head.clsFeats());
        for (int l = 0; l < c.length; l++) {
            logged.put("rms_cls" + l, c[l]);
        }
    }
}
