package org.aligndet.trainer.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.augment.View;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.loader.SampleTransform;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Generated inputs for the step benchmarks, in memory: {@code height x width} BGR scenes of filled
 * rectangles over noise, each rectangle a labelled box and a proposal, plus random extra proposals.
 * Batches go through the stage's real transform and the loader's collation, so a step sees what it
 * sees in training; with the transform's scale set to {@code (max(h, w), min(h, w))} the views keep
 * exactly the requested size (before padding to the divisor).
 */
public final class BenchScenes {
    private final int height;
    private final int width;
    private final int classes;
    private final int proposals;
    private final long seed;

    /**
     * @param classes   labels are drawn from {@code 0..classes-1}
     * @param proposals boxes per image handed to pre-training (objects first, then random boxes)
     */
    public BenchScenes(int height, int width, int classes, int proposals, long seed) {
        if (height < 32 || width < 32) {
            throw new IllegalArgumentException("bench images must be at least 32x32, got " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
        this.classes = Math.max(1, classes);
        this.proposals = Math.max(1, proposals);
        this.seed = seed;
    }

    /** {@code n} records: labelled objects as instances (fine-tuning). */
    public List<ImageRecord> labelled(int n) {
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ImageRecord(i, "bench-" + i, Path.of("bench-" + i + ".generated"), width, height, objects(i)));
        }
        return out;
    }

    /** {@code n} records: objects and random boxes as class-less proposals (pre-training). */
    public List<ImageRecord> withProposals(int n) {
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Instance> props = new ArrayList<>();
            SplittableRandom rng = new SplittableRandom(seed * 31 + i + 7);
            for (Instance o : objects(i)) {
                props.add(Instance.box(o.x1(), o.y1(), o.x2(), o.y2(), -1, props.size()));
            }
            while (props.size() < proposals) {
                float w = (float) (width * (0.05 + 0.6 * rng.nextDouble()));
                float h = (float) (height * (0.05 + 0.6 * rng.nextDouble()));
                float x = (float) ((width - w) * rng.nextDouble());
                float y = (float) ((height - h) * rng.nextDouble());
                props.add(Instance.box(x, y, x + w, y + h, -1, props.size()));
            }
            out.add(new ImageRecord(i, "bench-" + i, Path.of("bench-" + i + ".generated"), width, height, props));
        }
        return out;
    }

    /** Batches {@code 0..count-1} of {@code batch} records each (cycling through {@code records}) through {@code transform}. */
    public List<Batch> batches(List<ImageRecord> records, SampleTransform transform, int batch, int count) {
        List<Batch> out = new ArrayList<>();
        int next = 0;
        for (int b = 0; b < count; b++) {
            List<Batch.Sample> samples = new ArrayList<>();
            for (int i = 0; i < batch; i++, next++) {
                int idx = next % records.size();
                ImageRecord r = records.get(idx);
                try (Mat bgr = image((int) r.id())) {
                    List<View> views = transform.apply(bgr, r, new SplittableRandom(seed * 1_000_003L + next));
                    samples.add(new Batch.Sample(idx, r, views));
                }
            }
            out.add(Batch.collate(b, samples));
        }
        return out;
    }

    private List<Instance> objects(int image) {
        SplittableRandom rng = new SplittableRandom(seed * 17 + image);
        int n = 3 + rng.nextInt(6);
        List<Instance> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            float w = (float) (width * (0.1 + 0.3 * rng.nextDouble()));
            float h = (float) (height * (0.1 + 0.3 * rng.nextDouble()));
            float x = (float) Math.floor((width - w) * rng.nextDouble());
            float y = (float) Math.floor((height - h) * rng.nextDouble());
            out.add(Instance.box(x, y, (float) Math.floor(x + w), (float) Math.floor(y + h), rng.nextInt(classes), k));
        }
        return out;
    }

    /** The scene of record {@code image}: noise, then its objects as flat colours. The caller closes it. */
    public Mat image(int image) {
        SplittableRandom rng = new SplittableRandom(seed * 13 + image);
        byte[] px = new byte[3 * width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (96 + rng.nextInt(64));
        }
        for (Instance o : objects(image)) {
            byte b = (byte) rng.nextInt(256);
            byte g = (byte) rng.nextInt(256);
            byte r = (byte) rng.nextInt(256);
            for (int y = (int) o.y1(); y < (int) o.y2(); y++) {
                for (int x = (int) o.x1(); x < (int) o.x2(); x++) {
                    int at = 3 * (y * width + x);
                    px[at] = b;
                    px[at + 1] = g;
                    px[at + 2] = r;
                }
            }
        }
        try (BytePointer p = new BytePointer(px); Mat view = new Mat(height, width, opencv_core.CV_8UC3, p)) {
            return view.clone();
        }
    }
}
