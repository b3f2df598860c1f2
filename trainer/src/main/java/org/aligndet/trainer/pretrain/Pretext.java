package org.aligndet.trainer.pretrain;

import java.util.Locale;

/** Which of AlignDet's pretext tasks pre-training optimises (the paper's Table 10 ablates them). */
public enum Pretext {
    /** Box contrastive loss and the detector's regression losses: AlignDet. */
    BOTH,
    /** The box contrastive loss alone (classification pretext). */
    CLASSIFICATION,
    /** The detector's regression losses onto the proposals alone. */
    REGRESSION;

    public boolean contrastive() {
        return this != REGRESSION;
    }

    public boolean regression() {
        return this != CLASSIFICATION;
    }

    /** {@code both}, {@code cls} / {@code classification}, {@code reg} / {@code regression}. */
    public static Pretext parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "both" -> BOTH;
            case "cls", "classification" -> CLASSIFICATION;
            case "reg", "regression" -> REGRESSION;
            default -> throw new IllegalArgumentException("--pretext must be both, cls or reg, got '" + s + "'");
        };
    }
}
