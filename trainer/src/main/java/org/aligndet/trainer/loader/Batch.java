package org.aligndet.trainer.loader;

import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.augment.ImageTensor;
import org.aligndet.trainer.augment.View;
import org.aligndet.trainer.data.ImageRecord;

/**
 * One batch: {@code samples.get(b)} is image {@code b}'s record and per-view metadata (boxes, ids,
 * scale factors, flip, valid size, the view's padded shape); {@code views.get(v)} holds view {@code v}
 * of all images padded to the batch's largest height and width, the only copy of the pixels. Images
 * whose files could not be read are absent, so a batch can be smaller than the batch size.
 *
 * @param index the batch's position in the epoch
 */
public record Batch(int index, List<Sample> samples, List<BatchTensor> views) {

    /** One image of the batch. {@code datasetIndex} indexes the loader's record list. */
    public record Sample(int datasetIndex, ImageRecord record, List<View> views) {
    }

    /**
     * Stacks the samples' views into padded batch tensors (the loader's collation; benches build batches
     * with it too). The batch's samples keep their views' shapes, not their pixels
     * ({@link View#withoutPixels()}): a batch waiting in the loader's queue holds its pixels once
     * (at R50 pre-training, 42 MB per batch of 2 instead of 84).
     */
    public static Batch collate(int index, List<Sample> samples) {
        int nViews = samples.get(0).views().size();
        List<BatchTensor> tensors = new ArrayList<>(nViews);
        for (int v = 0; v < nViews; v++) {
            tensors.add(stack(samples, v));
        }
        List<Sample> kept = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            kept.add(new Sample(s.datasetIndex(), s.record(), s.views().stream().map(View::withoutPixels).toList()));
        }
        return new Batch(index, List.copyOf(kept), List.copyOf(tensors));
    }

    private static BatchTensor stack(List<Sample> samples, int v) {
        int h = 0;
        int w = 0;
        int c = samples.get(0).views().get(v).image().channels();
        for (Sample s : samples) {
            h = Math.max(h, s.views().get(v).image().height());
            w = Math.max(w, s.views().get(v).image().width());
        }
        float[] out = new float[samples.size() * c * h * w];
        for (int b = 0; b < samples.size(); b++) {
            ImageTensor t = samples.get(b).views().get(v).image();
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < t.height(); y++) {
                    System.arraycopy(t.data(), (ch * t.height() + y) * t.width(), out, ((b * c + ch) * h + y) * w, t.width());
                }
            }
        }
        return new BatchTensor(samples.size(), c, h, w, out);
    }
}
