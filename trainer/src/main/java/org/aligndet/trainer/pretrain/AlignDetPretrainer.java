package org.aligndet.trainer.pretrain;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.run.TrainingLoop;

/**
 * AlignDet's box-domain pre-training of a dense detector (RetinaNet, FCOS): the backbone is frozen,
 * the neck and head are trained without labels on selective-search proposals ({@link PretrainTask}
 * driven by the {@link TrainingLoop}). The run folder gets {@code pretrained.pth} (detector and
 * projector) besides the loop's checkpoints, metrics and loss curve.
 */
public final class AlignDetPretrainer {
    private final PretrainOptions o;
    private final PrintStream log;

    public AlignDetPretrainer(PretrainOptions options, PrintStream log) {
        this.o = options;
        this.log = log;
    }

    /** What a finished (or stopped) run did; {@code pretrained} is null when it was stopped. */
    public record Result(long iterations, long totalIterations, boolean stopped, Path lastCheckpoint, Path pretrained,
                         Path metrics, Path curve, Map<String, Double> firstLosses, Map<String, Double> lastLosses,
                         int skippedImages) {
    }

    public Result run() throws IOException {
        Device device = TrainingLoop.prepare(o, log);
        log.printf("pretrain: %s on %s, proposals %s%n", o.spec.name(), Devices.describe(device), o.proposals);
        try (PretrainTask task = new PretrainTask(o, proposalImages(), device, log)) {
            TrainingLoop.Result r = new TrainingLoop(o, log).run(task);
            Path pretrained = r.stopped() ? null : task.pretrainedPath();
            if (pretrained != null) {
                log.printf("pretrain: wrote %s%n", pretrained);
            }
            return new Result(r.iterations(), r.totalIterations(), r.stopped(), r.lastCheckpoint(), pretrained, r.metrics(),
                    r.curve(), r.firstLosses(), r.lastLosses(), r.skippedImages());
        }
    }

    /** The proposal file's images that have at least one proposal. */
    private List<ImageRecord> proposalImages() {
        List<ImageRecord> all = CocoReader.readProposals(o.proposals, o.images).images();
        List<ImageRecord> usable = new ArrayList<>();
        for (ImageRecord r : all) {
            if (!r.instances().isEmpty()) {
                usable.add(r);
            }
        }
        if (usable.size() < all.size()) {
            log.printf("pretrain: %d of %d images have no proposal and are left out%n", all.size() - usable.size(), all.size());
        }
        return usable;
    }
}
