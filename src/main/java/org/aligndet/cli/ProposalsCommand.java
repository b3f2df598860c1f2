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
import picocli.CommandLine.Option;

/** {@code aligndet proposals}: selective-search proposals for unlabeled images, as a COCO file. */
@Command(name = "proposals", mixinStandardHelpOptions = true,
        description = "Selective-search proposals filtered as AlignDet does (w, h >= min size; aspect in [1/3, 3]; "
            + "sqrt(box area / image area) <= 0.8; NMS 0.5; optional top-K), written as a COCO file with one "
            + "category 'selective_search'. Resumable: rerun the same command to continue an interrupted run.")
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

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "fast", description = "fast (default), quality, or single (AlignDet's one-strategy search)")
    String mode;

    @Option(names = "--long-side", defaultValue = "500", description = "long side the image is resized to for the search (default ${DEFAULT-VALUE})")
    int longSide;

    @Option(names = "--min-size", defaultValue = "32", description = "least box width and height in original pixels (default ${DEFAULT-VALUE})")
    double minSize;

    @Option(names = "--max-aspect", defaultValue = "3", description = "largest w/h and h/w (default ${DEFAULT-VALUE})")
    double maxAspect;

    @Option(names = "--max-scale", defaultValue = "0.8", description = "largest sqrt(box area / image area) (default ${DEFAULT-VALUE})")
    double maxScale;

    @Option(names = "--nms", defaultValue = "0.5", description = "NMS IoU threshold (default ${DEFAULT-VALUE})")
    double nms;

    @Option(names = "--top-k", defaultValue = "0", description = "keep at most K proposals per image, 0 for all (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--threads", description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() {
        List<ImageRecord> images = input.images != null
                ? ProposalInputs.folder(input.images)
                : ProposalInputs.cocoImages(input.coco, imageRoot != null ? imageRoot : input.coco.toAbsolutePath().getParent());
        ProposalFilter filter = new ProposalFilter(minSize, maxAspect, maxScale, nms, topK);
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        ProposalRunner.Options opts = new ProposalRunner.Options(SearchMode.parse(mode), longSide, filter, n, !noProgress, 0);
        ProposalRunner.Summary s = ProposalRunner.run(images, out, opts);
        System.out.printf("%d images (%d resumed from the journal), %d proposals, %d skipped%s -> %s%n",
                s.images(), s.resumed(), s.proposals(), s.skipped(),
                s.skipped() > 0 ? " (listed in " + ProposalRunner.skippedReportOf(out) + ")" : "", out);
        return 0;
    }
}
