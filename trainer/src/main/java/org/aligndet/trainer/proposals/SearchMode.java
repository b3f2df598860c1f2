package org.aligndet.trainer.proposals;

import java.util.Locale;

/**
 * How OpenCV's selective search is configured.
 *
 * <ul>
 *   <li>{@code FAST}: {@code switchToSelectiveSearchFast()} (HSV and Lab; k = 150, 300, 450; two
 *       strategy mixes);
 *   <li>{@code QUALITY}: {@code switchToSelectiveSearchQuality()} (five colour spaces, five k,
 *       four strategy mixes);
 *   <li>{@code SINGLE}: AlignDet's own: the image in HSV, one Felzenszwalb segmentation
 *       with k = 300, sigma = 0.9, min size 100, one strategy combining colour, fill, size and
 *       texture with equal weights.
 * </ul>
 */
public enum SearchMode {
    FAST, QUALITY, SINGLE;

    public static SearchMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown selective search mode '" + s + "' (fast, quality, single)", e);
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
