package org.aligndet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aligndet.trainer.spec.ModelSpecs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole AlignDet pipeline on generated data, with the embedded tiny RetinaNet: synthetic
 * benchmark, selective-search proposals, box-domain pre-training, fine-tuning against the
 * backbone-only baseline, ONNX export, ONNX Runtime evaluation and the cross-runtime check. Each
 * stage is the same command a user would run; the demo prints them, times them and sums up.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on generated data with the embedded tiny RetinaNet: synth -> proposals -> "
                + "AlignDet pre-training -> fine-tuning (AlignDet vs backbone-only baseline) -> ONNX export -> ONNX Runtime "
                + "evaluation -> cross-runtime check. About 7 minutes on 2 CPU cores; --quick about 2."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo-out", description = "where everything goes (default: ${DEFAULT-VALUE})") Path out;
    @Option(names = "--quick", description = "a smaller run (fewer images and iterations), for a first look") boolean quick;
    @Option(names = "--spec", defaultValue = "retinanet_tiny", description = "a tiny spec (default: ${DEFAULT-VALUE})") String spec;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--device", defaultValue = "auto") String device;
    @Option(names = "--images", description = "synthetic images, train + val (default: 200, --quick 80)") Integer images;
    @Option(names = "--pretrain-iters", description = "pre-training iterations (default: 300, --quick 60)") Integer pretrainIters;
    @Option(names = "--finetune-iters", description = "fine-tuning iterations per run (default: 800, --quick 200)") Integer finetuneIters;

    private final List<String[]> timings = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        int n = images != null ? images : quick ? 80 : 200;
        int pIters = pretrainIters != null ? pretrainIters : quick ? 60 : 300;
        int fIters = finetuneIters != null ? finetuneIters : quick ? 200 : 800;
        Path root = out.toAbsolutePath();
        Files.createDirectories(root);
        Path data = root.resolve("data");
        Path backbone = ModelSpecs.locate().directory().resolve("weights/tiny_backbone_synth.pth");
        String train = data.resolve("annotations/instances_train.json").toString();
        String val = data.resolve("annotations/instances_val.json").toString();
        String trainImages = data.resolve("train").toString();
        String valImages = data.resolve("val").toString();
        PrintStream o = System.out;
        o.printf("AlignDet demo: %s, %d images, %d pre-training and 2 x %d fine-tuning iterations -> %s%n", spec, n,
                pIters, fIters, root);

        stage("1/8 synthetic benchmark", "synth", "--out", data.toString(), "--images", Integer.toString(n),
                "--seed", Long.toString(seed), "--overwrite");
        stage("2/8 selective-search proposals", "proposals", "--images", trainImages, "--out",
                root.resolve("proposals.json").toString(), "--mode", "single", "--long-side", "320");
        stage("3/8 AlignDet box-domain pre-training", "pretrain", "--spec", spec, "--images", trainImages,
                "--proposals", root.resolve("proposals.json").toString(), "--backbone", backbone.toString(),
                "--out", root.resolve("pretrain").toString(), "--max-iters", Integer.toString(pIters), "--batch", "4",
                "--warmup-iters", Integer.toString(Math.max(1, pIters / 4)), "--samples", "256", "--device", device,
                "--seed", Long.toString(seed), "--log-every", "10");
        String[] common = {"--spec", spec, "--train", train, "--images", trainImages, "--val", val, "--val-images", valImages,
            "--iters", Integer.toString(fIters), "--batch", "4", "--device", device, "--seed", Long.toString(seed),
            "--log-every", "20"};
        stage("4/8 fine-tuning from the AlignDet pre-trained detector", concat(new String[] {"finetune"}, common,
                new String[] {"--init", root.resolve("pretrain/pretrained.pth").toString(), "--recipe", "aligndet",
                    "--out", root.resolve("finetune-aligndet").toString()}));
        stage("5/8 fine-tuning the backbone-only baseline", concat(new String[] {"finetune"}, common,
                new String[] {"--backbone", backbone.toString(), "--recipe", "baseline",
                    "--out", root.resolve("finetune-baseline").toString()}));
        for (String run : new String[] {"aligndet", "baseline"}) {
            stage("6/8 ONNX export (" + run + ")", "export", "--checkpoint", finalCheckpoint(root.resolve("finetune-" + run)).toString(),
                    "--spec", spec, "--out", root.resolve("export/" + run + ".onnx").toString());
        }
        for (String run : new String[] {"aligndet", "baseline"}) {
            stage("7/8 ONNX Runtime evaluation (" + run + ")", "eval", "--model", root.resolve("export/" + run + ".onnx").toString(),
                    "--coco-gt", val, "--images", valImages, "--out", root.resolve("eval-" + run).toString(), "--no-progress");
        }
        int check = stage("8/8 cross-runtime check (TorchScript vs ONNX Runtime)", "check", "--checkpoint",
                finalCheckpoint(root.resolve("finetune-aligndet")).toString(), "--onnx", root.resolve("export/aligndet.onnx").toString(),
                "--images", valImages, "--coco-gt", val, "-n", "20", "--json", root.resolve("check.json").toString());
        summary(o, root, check);
        return 0;
    }

    /** The fine-tuning run's best checkpoint by validation AP, else its last one. */
    static Path finalCheckpoint(Path run) throws Exception {
        for (String name : new String[] {"best.pth", "final.pth", "last.pth"}) {
            if (Files.exists(run.resolve(name))) {
                return run.resolve(name);
            }
        }
        try (var s = Files.list(run.resolve("checkpoints"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".pth")).sorted().reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalStateException(run + ": no checkpoint"));
        }
    }

    private static String[] concat(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] p : parts) {
            all.addAll(List.of(p));
        }
        return all.toArray(new String[0]);
    }

    private int stage(String title, String... args) {
        System.out.printf("%n== %s ==%n$ aligndet %s%n", title, String.join(" ", args));
        long t0 = System.nanoTime();
        CommandLine cl = Main.commandLine();
        int code = cl.execute(args);
        double secs = (System.nanoTime() - t0) / 1e9;
        timings.add(new String[] {title, String.format(Locale.ROOT, "%.1f s", secs), code == 0 ? "ok" : "exit " + code});
        if (code != 0 && !args[0].equals("check")) {
            throw new IllegalStateException("demo stage '" + title + "' failed (exit " + code + "); see above");
        }
        return code;
    }

    private void summary(PrintStream o, Path root, int checkCode) throws Exception {
        ObjectMapper json = new ObjectMapper();
        o.printf("%n== Summary ==%n%n| stage | time | result |%n|---|---|---|%n");
        for (String[] t : timings) {
            o.printf("| %s | %s | %s |%n", t[0], t[1], t[2]);
        }
        o.printf("%n| fine-tuned from | COCO AP | AP50 | AP75 | (ONNX Runtime, %s val) |%n|---|---|---|---|---|%n", spec);
        for (String run : new String[] {"aligndet", "baseline"}) {
            JsonNode r = json.readTree(root.resolve("eval-" + run + "/report.json").toFile());
            JsonNode s = r.path("stats");
            o.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | |%n", run.equals("aligndet") ? "AlignDet pre-trained detector" : "backbone only (baseline)",
                    s.path(0).asDouble(), s.path(1).asDouble(), s.path(2).asDouble());
        }
        o.printf("%ncross-runtime check: %s (report %s)%n", checkCode == 0 ? "PASS" : "FAIL (exit " + checkCode + ")",
                root.resolve("check.json"));
        o.printf("everything is under %s%n", root);
    }
}
