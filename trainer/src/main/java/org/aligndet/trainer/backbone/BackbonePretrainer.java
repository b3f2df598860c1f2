package org.aligndet.trainer.backbone;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.ImageFolderReader;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.run.TrainingLoop;

/**
 * The image-domain stage, for specs that have no pre-trained backbone to import (the tiny ones):
 * supervised classification of object-centric crops (one class per folder, as {@code aligndet synth
 * --crops} writes them) with the detector's own backbone ({@link BackboneTask} driven by the
 * {@link TrainingLoop}). The result holds the backbone's weights under their graph names.
 */
public final class BackbonePretrainer {
    /** Held-out accuracy after each epoch, and where the weights went. */
    public record Result(Path checkpoint, List<Double> trainLoss, List<Double> valAccuracy, int classes, int trainImages,
                         int valImages) {
    }

    private final BackboneOptions o;
    private final PrintStream log;

    public BackbonePretrainer(BackboneOptions options, PrintStream log) {
        this.o = options;
        this.log = log;
    }

    public Result run() throws IOException {
        Dataset d = ImageFolderReader.readClassFolders(o.crops);
        if (d.classes().size() < 2) {
            throw new IllegalArgumentException(o.crops + ": needs at least two class folders of images, found " + d.classes());
        }
        List<ImageRecord> train = new ArrayList<>();
        List<ImageRecord> val = new ArrayList<>();
        split(d.images(), train, val);
        o.sizeSchedule(Math.max(1, train.size() / o.batch));
        Device device = TrainingLoop.prepare(o, log);
        log.printf("backbone: %s on %s, %d classes, %d train / %d held-out crops at %d px%n", o.spec.name(),
                Devices.describe(device), d.classes().size(), train.size(), val.size(), o.size);
        try (BackboneTask task = new BackboneTask(o, train, val, d.classes(), device, log)) {
            new TrainingLoop(o, log).run(task);
            return new Result(o.checkpoint, task.epochLoss, task.accuracy, d.classes().size(), train.size(), val.size());
        }
    }

    /** A seeded, class-stratified hold-out: every {@code 1/valFraction}-th crop of each class after a shuffle. */
    private void split(List<ImageRecord> all, List<ImageRecord> train, List<ImageRecord> val) {
        List<ImageRecord> shuffled = new ArrayList<>(all);
        SplittableRandom rng = new SplittableRandom(o.seed ^ 0x5DEECE66DL);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            ImageRecord t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        int every = o.valFraction <= 0 ? Integer.MAX_VALUE : (int) Math.max(2, Math.round(1 / o.valFraction));
        Map<Integer, Integer> seen = new LinkedHashMap<>();
        for (ImageRecord r : shuffled) {
            if (r.instances().isEmpty()) {
                continue; // header unreadable: size unknown, no label box
            }
            int label = r.instances().get(0).label();
            int c = seen.merge(label, 1, Integer::sum);
            (c % every == 0 ? val : train).add(r);
        }
    }
}
