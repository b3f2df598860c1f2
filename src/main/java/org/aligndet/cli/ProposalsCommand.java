package org.aligndet.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.proposals.ProposalFilter;
import org.aligndet.trainer.proposals.ProposalInputs;
import org.aligndet.trainer.proposals.ProposalRunner;
import org.aligndet.trainer.proposals.SearchMode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aligndet proposals}: selective-search proposals for unlabeled images, as a COCO file. */
@Command(name = "proposals", mixinStandardHelpOptions = true,
        description = "Selective-search proposals filtered as AlignDet does (w, h >= min size; aspect in [1/3, 3]; "
            + "sqrt(box area / image area) <= 0.8; NMS 0.5; optional top-K), written as a COCO file with one "
            + "category 'selective_search'. Resumable: rerun the same command to continue an interrupted run.",
        footer = {"%nExample:%n  aligndet proposals --coco annotations/instances_train2017.json --image-root train2017 \\%n"
                + "      --out ss.json --mode single",
            "%nExit codes: 0 written (unreadable images skipped and listed in FILE.skipped.txt), 1 error, 2 usage."})
public final class ProposalsCommand implements Callable<Integer> {

    static final class Input {
        @Option(names = "--images", paramLabel = "DIR", required = true, description = "every image file under DIR, sorted by path")
        Path images;

        @Option(names = "--coco", paramLabel = "ANN", required = true, description = "the images listed in a COCO annotation file")
        Path coco;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--image-root", paramLabel = "DIR", description = "where --coco's file names are resolved (default: the annotation file's folder)")
    Path imageRoot;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "the COCO proposal file to write")
    Path out;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "fast",
            description = "fast, quality, or single (AlignDet's one-strategy search) (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--long-side", paramLabel = "PX", defaultValue = "500", converter = Ranges.AtLeastOne.class,
            description = "long side the image is resized to for the search (default: ${DEFAULT-VALUE})")
    int longSide;

    @Option(names = "--min-size", paramLabel = "PX", defaultValue = "32", converter = Ranges.NonNegativeReal.class,
            description = "least box width and height in original pixels (default: ${DEFAULT-VALUE})")
    double minSize;

    @Option(names = "--max-aspect", paramLabel = "R", defaultValue = "3", converter = Ranges.AtLeastOneReal.class,
            description = "largest w/h and h/w, at least 1 (default: ${DEFAULT-VALUE})")
    double maxAspect;

    @Option(names = "--max-scale", paramLabel = "S", defaultValue = "0.8", converter = Ranges.Fraction.class,
            description = "largest sqrt(box area / image area), in (0, 1] (default: ${DEFAULT-VALUE})")
    double maxScale;

    @Option(names = "--nms", paramLabel = "IOU", defaultValue = "0.5", converter = Ranges.UnitInterval.class,
            description = "NMS IoU threshold, in [0, 1] (default: ${DEFAULT-VALUE})")
    double nms;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", converter = Ranges.NonNegative.class,
            description = "keep at most K proposals per image, 0 for all (default: ${DEFAULT-VALUE})")
    int topK;

    @Mixin
    WorkerOptions workers;

    @Mixin
    ImageInputOptions imageLimits;

    @Option(names = "--no-progress", description = "no progress bar (default: a progress bar)")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        new OutputPaths(spec).in("--coco", input.coco).in("--images", input.images).in("--image-root", imageRoot).out("--out", out)
                .out("--out", ProposalRunner.journalOf(out)).out("--out", ProposalRunner.skippedReportOf(out)).check();
        List<ImageRecord> images = input.images != null
                ? ProposalInputs.folder(input.images)
                : ProposalInputs.cocoImages(input.coco, imageRoot != null ? imageRoot : input.coco.toAbsolutePath().getParent());
        if (input.coco != null) {
            imageLimits.limits().requirePresent(images.stream().map(ImageRecord::file).toList(), input.coco.toString());
        }
        ProposalFilter filter = new ProposalFilter(minSize, maxAspect, maxScale, nms, topK);
        ProposalRunner.Options opts = new ProposalRunner.Options(SearchMode.parse(mode), longSide, filter, workers.count(), !noProgress, 0,
                imageLimits.maxPixels);
        ProposalRunner.Summary s = ProposalRunner.run(images, out, opts);
        System.out.printf("%d images (%d resumed from the journal), %d proposals, %d skipped%s -> %s%n",
                s.images(), s.resumed(), s.proposals(), s.skipped(),
                s.skipped() > 0 ? " (listed in " + ProposalRunner.skippedReportOf(out) + ")" : "", out);
        return 0;
    }
}
