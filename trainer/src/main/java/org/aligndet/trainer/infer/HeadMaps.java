package org.aligndet.trainer.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * Raw outputs of a dense head for a batch, per level (finest first), in host memory: the input of
 * {@link DensePostprocess} and what the cross-runtime check compares.
 *
 * @param cls        classification logits {@code [N, A*K, h_l, w_l]}
 * @param box        box branch {@code [N, A*4, h_l, w_l]}: deltas (RetinaNet) or l, t, r, b (FCOS)
 * @param centerness FCOS centre-ness logits {@code [N, 1, h_l, w_l]}; empty for RetinaNet
 */
public record HeadMaps(List<Level> cls, List<Level> box, List<Level> centerness) {
    /** Names of the ONNX template's raw outputs, level {@code L} appended. */
    public static final String CLS = "cls_score_", BOX = "bbox_pred_", CENTERNESS = "centerness_";

    /** One level of one output: {@code [batch, channels, height, width]}, row-major. */
    public record Level(float[] data, int batch, int channels, int height, int width) {
        public Level {
            if ((long) batch * channels * height * width != data.length) {
                throw new IllegalArgumentException("level data of " + data.length + " floats is not ["
                        + batch + ", " + channels + ", " + height + ", " + width + "]");
            }
        }

        public static Level of(HostTensor t, String name) {
            long[] s = t.shape();
            if (s.length != 4) {
                throw new IllegalArgumentException(name + ": expected [N, C, h, w], got " + Arrays.toString(s));
            }
            return new Level(t.toFloats(), (int) s[0], (int) s[1], (int) s[2], (int) s[3]);
        }

        public HostTensor toHost() {
            return HostTensor.ofFloats(new long[] {batch, channels, height, width}, data);
        }
    }

    public HeadMaps {
        cls = List.copyOf(cls);
        box = List.copyOf(box);
        centerness = List.copyOf(centerness);
        if (cls.isEmpty() || box.size() != cls.size() || !(centerness.isEmpty() || centerness.size() == cls.size())) {
            throw new IllegalArgumentException("per-level outputs disagree: " + cls.size() + " cls, " + box.size()
                    + " box, " + centerness.size() + " centerness levels");
        }
        int n = cls.get(0).batch();
        for (int l = 0; l < cls.size(); l++) {
            Level c = cls.get(l);
            check(c, n, l, CLS);
            check(box.get(l), n, l, BOX);
            if (!centerness.isEmpty()) {
                check(centerness.get(l), n, l, CENTERNESS);
            }
            if (box.get(l).height() != c.height() || box.get(l).width() != c.width()
                    || !centerness.isEmpty() && (centerness.get(l).height() != c.height() || centerness.get(l).width() != c.width())) {
                throw new IllegalArgumentException("level " + l + ": outputs have different spatial sizes");
            }
        }
    }

    private static void check(Level v, int n, int l, String name) {
        if (v.batch() != n) {
            throw new IllegalArgumentException(name + l + ": batch " + v.batch() + ", expected " + n);
        }
    }

    /** Reads {@code cls_score_L}, {@code bbox_pred_L} (and {@code centerness_L} when present) for L below {@code levels}. */
    public static HeadMaps fromNamed(Map<String, HostTensor> outputs, int levels) {
        List<Level> c = new ArrayList<>(), b = new ArrayList<>(), r = new ArrayList<>();
        boolean fcos = outputs.containsKey(CENTERNESS + 0);
        for (int l = 0; l < levels; l++) {
            c.add(Level.of(need(outputs, CLS + l), CLS + l));
            b.add(Level.of(need(outputs, BOX + l), BOX + l));
            if (fcos) {
                r.add(Level.of(need(outputs, CENTERNESS + l), CENTERNESS + l));
            }
        }
        return new HeadMaps(c, b, r);
    }

    private static HostTensor need(Map<String, HostTensor> outputs, String name) {
        HostTensor t = outputs.get(name);
        if (t == null) {
            throw new IllegalArgumentException("raw head output '" + name + "' missing (have " + outputs.keySet() + ")");
        }
        return t;
    }

    /** The outputs under the ONNX template's names, in its order. */
    public Map<String, HostTensor> toNamed() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (int l = 0; l < levels(); l++) {
            out.put(CLS + l, cls.get(l).toHost());
        }
        for (int l = 0; l < levels(); l++) {
            out.put(BOX + l, box.get(l).toHost());
        }
        for (int l = 0; l < centerness.size(); l++) {
            out.put(CENTERNESS + l, centerness.get(l).toHost());
        }
        return out;
    }

    public int levels() {
        return cls.size();
    }

    public int batch() {
        return cls.get(0).batch();
    }
}
