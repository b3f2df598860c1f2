package org.aligndet.trainer.synth;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a generator run wrote. Size buckets follow COCO's ranges on the annotation's {@code area}
 * (visible pixels): small {@code < 32^2}, medium {@code < 96^2}, large otherwise.
 *
 * @param objectsPerClass objects per class name, in label order (train and val together)
 * @param difficult       objects marked {@code difficult} in the VOC layout
 * @param cocoAnnotations the COCO annotation files written (train, val)
 * @param vocRoot         the VOC year directory ({@code VOCdevkit/VOC2007})
 * @param cropsDir        the crops folder, or {@code null} when no crop was asked for
 */
public record SynthSummary(Path out, int trainImages, int valImages, Map<String, Integer> objectsPerClass,
                           int small, int medium, int large, int difficult, int crops,
                           Path trainAnnotations, Path valAnnotations, Path vocRoot, Path cropsDir) {
    public SynthSummary {
        objectsPerClass = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(objectsPerClass));
    }

    public int objects() {
        return small + medium + large;
    }
}
