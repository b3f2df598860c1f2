package org.aligndet.trainer.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.data.VocReader;

/**
 * The images a fine-tuning run trains on: the COCO or VOC set, images without a trainable object
 * left out (mmdetection's {@code filter_empty_gt}), then the low-data fold ({@link LowDataSubset}).
 *
 * @param classes    class names in label order (the dataset's)
 * @param images     the chosen images, by id
 * @param available  images with a trainable object before the low-data choice
 * @param withoutGt  images left out for having no trainable object
 */
public record TrainingSet(String source, List<String> classes, List<ImageRecord> images, int available, int withoutGt) {

    /** Reads {@code o.train} (COCO file or VOC year directory) and applies the fraction and fold. */
    public static TrainingSet read(FinetuneOptions o) {
        boolean masks = o.spec.hasMasks();
        if (masks && o.isVoc()) {
            throw new IllegalArgumentException(o.train + ": " + o.spec.name() + " trains a mask head and VOC detection data has "
                    + "no instance masks; give a COCO instances file with segmentations");
        }
        Dataset d = o.isVoc()
                ? VocReader.read(o.train, o.split, o.vocClasses == null ? VocReader.VOC_CLASSES : o.vocClasses)
                : masks ? readWithMasks(o) : CocoReader.read(o.train, o.images);
        if (d.classes().size() != o.spec.numClasses()) {
            throw new IllegalArgumentException(o.train + ": " + d.classes().size() + " classes, but " + o.spec.name()
                    + " has " + o.spec.numClasses() + " (use a spec with as many classes as the data)");
        }
        List<ImageRecord> usable = new ArrayList<>();
        for (ImageRecord r : d.images()) {
            if (r.instances().stream().anyMatch(TrainingSet::trainable)) {
                usable.add(r);
            }
        }
        List<ImageRecord> chosen = LowDataSubset.select(usable, o.fraction, o.fold, o.seed);
        return new TrainingSet(o.train.toString(), d.classes(), chosen, usable.size(), d.images().size() - usable.size());
    }

    private static Dataset readWithMasks(FinetuneOptions o) {
        org.aligndet.trainer.data.LoadResult r = CocoReader.loadWithMasks(o.train, o.images);
        CocoReader.logSkips(o.train, r.skipped());
        for (ImageRecord rec : r.dataset().images()) {
            for (int i = 0; i < rec.instances().size(); i++) {
                if (trainable(rec.instances().get(i)) && (!rec.hasSegmentations() || rec.segmentations().get(i) == null)) {
                    throw new IllegalArgumentException(o.train + ": image " + rec.key() + ", annotation "
                            + rec.instances().get(i).id() + " has no segmentation, which " + o.spec.name() + "'s mask head needs");
                }
            }
        }
        return r.dataset();
    }

    static boolean trainable(Instance in) {
        return !in.crowd() && !in.ignore() && !in.difficult();
    }

    /** Writes {@code subset.json}: the protocol's parameters and the chosen image ids and keys. */
    public void writeSubset(Path file, FinetuneOptions o) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("seed", o.seed);
        m.put("fraction", o.fraction);
        m.put("fold", o.fold);
        m.put("available", available);
        m.put("chosen", images.size());
        m.put("folds_disjoint", LowDataSubset.foldsDisjoint(available, o.fraction));
        m.put("image_ids", images.stream().map(ImageRecord::id).toList());
        m.put("keys", images.stream().map(ImageRecord::key).toList());
        AtomicFiles.write(file, new ObjectMapper().writeValueAsBytes(m));
    }
}
