package org.aligndet.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aligndet predict}: an exported model (or a checkpoint) over images through ONNX Runtime.
 *
 * <p>Writes {@code OUT/results.json} (COCO results: boxes {@code [x, y, w, h]} in original image
 * pixels). Without {@code --coco}, images are every image under {@code --images} sorted by relative
 * path, with ids 1..n, and {@code OUT/images.json} lists them (COCO {@code images} and
 * {@code categories}, {@code category_id = 1 + label}); with {@code --coco ANN}, the annotation
 * file's images, ids and categories are used (and a stale {@code OUT/images.json} is removed, so
 * {@code eval} does not take the ids for predict's own numbering). {@code --draw} writes
 * {@code OUT/draw/*.png}. Missing, unreadable and oversized images are skipped, listed in
 * {@code OUT/skipped.txt}, and do not fail the run, unless more than {@code --max-missing} of the
 * annotation file's images are missing.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Detect objects with an exported ONNX model (or a checkpoint + --spec) and write COCO-format results.",
        footer = {"%nExample:%n  aligndet predict --model model.onnx --images data/val \\%n"
                + "      --coco data/annotations/instances_val.json --out runs/pred --draw",
            "%nWithout --coco the images are numbered 1..N in path order (listed in OUT/images.json); give --coco to score "
                + "the results with 'aligndet eval --results' against that annotation file.",
            "%nExit codes: 0 done (skipped images are listed in OUT/skipped.txt), 1 error, 2 usage."})
public final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    ImageInputOptions imageLimits;

    @Option(names = "--images", paramLabel = "DIR|FILE", required = true, description = "an image, or a folder searched recursively")
    Path images;

    @Option(names = "--coco", paramLabel = "ANN",
            description = "take images, ids and categories from a COCO annotation file, names resolved in --images (default: every image under --images, ids 1..N)")
    Path coco;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "where results.json (and images.json, skipped.txt, draw/) go")
    Path out;

    @Option(names = "--classes", paramLabel = "NAMES", description = "class names for a checkpoint whose meta has none: " + ClassNames.FORMAT
            + " (default: the model's)")
    String classes;

    @Option(names = "--draw", description = "also write PNGs with the boxes and labels drawn (default: off)")
    boolean draw;

    @Option(names = "--score-thr", paramLabel = "S", defaultValue = "0.3", converter = Ranges.UnitIntervalFloat.class,
            description = "least score drawn; results keep every detection (default: ${DEFAULT-VALUE})")
    float scoreThr;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        if (model.model == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--model=MODEL'");
        }
        new OutputPaths(spec).in("--model", model.model).in("--images", images).in("--coco", coco).in("--classes", classes)
                .out("--out", out).out("--out", out.resolve("results.json")).out("--out", out.resolve("images.json"))
                .out("--out", out.resolve("skipped.txt")).out("--out", out.resolve("draw")).check();
        try (OnnxPredictor predictor = model.open(ClassNames.parse(classes))) {
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
            BoxDrawer drawer = new BoxDrawer(predictor.classes(), scoreThr, imageLimits.maxPixels);
            java.util.Map<Long, Path> fileOf = new java.util.HashMap<>();
            refs.forEach(r -> fileOf.put(r.id(), r.file()));
            Consumer<Detections> each = !draw ? null
                    : d -> drawer.draw(fileOf.get(d.imageId()), d, out.resolve("draw").resolve(d.key().replace('/', '_') + ".png"));
            PredictionRun.Outcome o = PredictionRun.run(predictor, refs, String.valueOf(coco != null ? coco : images),
                    model.settings(imageLimits.limits()), each);
            ResultsFiles.writeCocoResults(out.resolve("results.json"), o.detections(), l -> categoryOf[l]);
            if (coco == null) {
                ResultsFiles.writeImageList(out.resolve("images.json"), o.images(), predictor.classes());
            } else {
                Files.deleteIfExists(out.resolve("images.json")); // a stale list would make eval distrust these ids
            }
            console.printf("%d images, %d detections (%s provider) -> %s%n", o.images().size(), o.numDetections(), predictor.provider(),
                    out.resolve("results.json"));
            SkippedImages.report(console, o.skipped(), "no results for them", out.resolve("skipped.txt"));
            console.flush();
        }
        return 0;
    }
}
