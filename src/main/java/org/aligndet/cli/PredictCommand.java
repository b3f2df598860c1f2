package org.aligndet.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.aligndet.export.eval.AtomicFiles;
import org.aligndet.export.predict.BoxDrawer;
import org.aligndet.export.predict.CategoryMap;
import org.aligndet.export.predict.ImageRef;
import org.aligndet.export.predict.OnnxPredictor;
import org.aligndet.export.predict.PredictionRun;
import org.aligndet.export.predict.ResultsFiles;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.infer.Detections;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aligndet predict}: an exported model (or a checkpoint) over images through ONNX Runtime.
 *
 * <p>Writes {@code OUT/results.json} (COCO results: boxes {@code [x, y, w, h]} in original image
 * pixels). Without {@code --coco}, images are every image under {@code --images} sorted by relative
 * path, with ids 1..n, and {@code OUT/images.json} lists them (COCO {@code images} and
 * {@code categories}, {@code category_id = 1 + label}); with {@code --coco ANN}, the annotation
 * file's images, ids and categories are used. {@code --draw} writes {@code OUT/draw/*.png}.
 * Unreadable images are skipped, listed in {@code OUT/skipped.txt}, and do not fail the run.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Detect objects with an exported ONNX model (or a checkpoint + --spec) and write COCO-format results.")
public final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--images", paramLabel = "DIR|FILE", required = true, description = "an image, or a folder searched recursively")
    Path images;

    @Option(names = "--coco", paramLabel = "ANN", description = "take images, ids and categories from a COCO annotation file (names resolved in --images)")
    Path coco;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "where results.json (and images.json, draw/) go")
    Path out;

    @Option(names = "--classes", paramLabel = "FILE", description = "class names for a checkpoint whose meta has none")
    Path classes;

    @Option(names = "--draw", description = "also write PNGs with the boxes and labels drawn")
    boolean draw;

    @Option(names = "--score-thr", defaultValue = "0.3", description = "least score drawn (default ${DEFAULT-VALUE}); results keep every detection")
    float scoreThr;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        if (model.model == null) {
            throw new IllegalArgumentException("--model is required");
        }
        try (OnnxPredictor predictor = model.open(ClassNames.read(classes))) {
            List<ImageRef> refs;
            long[] categoryOf;
            if (coco != null) {
                Dataset ds = CocoReader.read(coco, images);
                refs = ImageRef.all(ds);
                categoryOf = CategoryMap.of(predictor.classes(), ds.classes(), ds.categoryIds(), coco.toString());
            } else {
                refs = ImageRef.folder(images);
                categoryOf = java.util.stream.LongStream.rangeClosed(1, predictor.classes().size()).toArray();
            }
            BoxDrawer drawer = new BoxDrawer(predictor.classes(), scoreThr);
            java.util.Map<Long, Path> fileOf = new java.util.HashMap<>();
            refs.forEach(r -> fileOf.put(r.id(), r.file()));
            Consumer<Detections> each = !draw ? null
                    : d -> drawer.draw(fileOf.get(d.imageId()), d, out.resolve("draw").resolve(d.key().replace('/', '_') + ".png"));
            PredictionRun.Outcome o = PredictionRun.run(predictor, refs, model.batch, !model.noProgress, each);
            ResultsFiles.writeCocoResults(out.resolve("results.json"), o.detections(), l -> categoryOf[l]);
            if (coco == null) {
                ResultsFiles.writeImageList(out.resolve("images.json"), o.images(), predictor.classes());
            }
            report(console, predictor, o);
        }
        return 0;
    }

    private void report(PrintWriter console, OnnxPredictor predictor, PredictionRun.Outcome o) {
        console.printf("%d images, %d detections (%s provider) -> %s%n", o.images().size(), o.numDetections(), predictor.provider(),
                out.resolve("results.json"));
        Path skippedFile = out.resolve("skipped.txt");
        if (!o.skipped().isEmpty()) {
            List<String> lines = new ArrayList<>();
            o.skipped().forEach(s -> lines.add(s.file() + ": " + s.reason()));
            AtomicFiles.writeBytes(skippedFile, (String.join("\n", lines) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            console.printf("%d images skipped (unreadable), listed in %s:%n", o.skipped().size(), skippedFile);
            lines.stream().limit(5).forEach(l -> console.println("  " + l));
        } else {
            try {
                Files.deleteIfExists(skippedFile);
            } catch (java.io.IOException e) {
                console.println("warning: cannot remove the old " + skippedFile);
            }
        }
        console.flush();
    }
}
