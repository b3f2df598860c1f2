package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.run.MetricsLog;
import org.aligndet.trainer.synth.ShapeClass;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code aligndet finetune} end to end on generated scenes: the tiny detectors learn (COCO AP50 from
 * the export evaluator, on the images they were trained on: a random-init tiny detector does not
 * generalise from a dozen scenes within a test's time), and the VOC layout is wired through.
 */
class FinetuneCommandTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void generate() throws Exception {
        data = tmp.resolve("data");
        SynthGenerator.generate(new SynthConfig(data, 15, 7, 0.2, 128, 0, 96, 2, false, false));
    }

    static int run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        if (code != 0) {
            System.err.println(err);
        }
        return code;
    }

    static double lastVal(Path out, String key) throws Exception {
        List<Map<String, Double>> rows = MetricsLog.read(out.resolve("metrics.jsonl"));
        return rows.stream().filter(r -> r.containsKey(key)).reduce((a, b) -> b).orElseThrow().get(key);
    }

    static String[] cocoRun(String spec, Path out, String iters, String lr, String scale) {
        String ann = data.resolve("annotations/instances_train.json").toString();
        String images = data.resolve("train").toString();
        return new String[] {"finetune", "--spec", spec, "--train", ann, "--images", images, "--val", ann, "--val-images", images,
            "--out", out.toString(), "--iters", iters, "--batch", "2", "--lr", lr, "--warmup-iters", "50", "--scale", scale,
            "--val-every", iters, "--threads", "1", "--workers", "1", "--device", "cpu", "--log-every", "50"};
    }

    @Test
    void tinyFcosLearnsItsTrainingScenes() throws Exception {
        Path out = tmp.resolve("fcos");
        assertEquals(0, run(cocoRun("fcos_tiny", out, "800", "0.02", "160,128")));
        double ap50 = lastVal(out, "bbox_mAP_50");
        assertTrue(ap50 > 0.3, "FCOS AP50 after 800 iterations: " + ap50);
        assertTrue(Files.exists(out.resolve("best.pth")) && Files.exists(out.resolve("last.pth")));
    }

    @Test
    void tinyRetinaNetLossFalls() throws Exception {
        // Measured: the random-init tiny RetinaNet (head convs N(0, 0.01), 64 channels) needs ~500+ iterations before
        // its focal loss takes off (AP50 0.09 on its training scenes at 500, but not reliably within a test's time),
        // so this test asserts the loss falls; the AP50 test is FCOS's. Smallest anchors are 32 px: scale (320, 256).
        Path out = tmp.resolve("retinanet");
        String[] args = cocoRun("retinanet_tiny", out, "300", "0.02", "320,256");
        args[java.util.Arrays.asList(args).indexOf("--log-every") + 1] = "1";
        assertEquals(0, run(args));
        List<Map<String, Double>> rows = MetricsLog.read(out.resolve("metrics.jsonl")).stream().filter(r -> r.containsKey("loss")).toList();
        double first = rows.subList(0, 20).stream().mapToDouble(r -> r.get("loss")).average().orElseThrow();
        double last = rows.subList(rows.size() - 50, rows.size()).stream().mapToDouble(r -> r.get("loss")).average().orElseThrow();
        assertTrue(last < 0.92 * first, "RetinaNet loss " + first + " -> " + last);
    }

    @Test
    void vocTrainAndValidationAreWiredThrough() throws Exception {
        Path classes = tmp.resolve("classes.txt");
        Files.write(classes, ShapeClass.classNames());
        Path voc = data.resolve("VOCdevkit/VOC2007");
        Path out = tmp.resolve("voc");
        assertEquals(0, run("finetune", "--spec", "retinanet_tiny", "--train", voc.toString(), "--split", "train",
                "--classes", classes.toString(), "--val", voc.toString(), "--val-split", "test", "--out", out.toString(),
                "--iters", "3", "--batch", "2", "--scale", "128,96", "--threads", "1", "--workers", "1", "--device", "cpu",
                "--fraction", "0.2", "--fold", "2"));
        assertTrue(lastVal(out, "bbox_mAP") >= 0);
        assertTrue(Files.readString(out.resolve("subset.json")).contains("\"fold\":2"));
        assertTrue(Files.readString(out.resolve("init_report.json")).contains("\"mode\" : \"graph\""));
    }

    @Test
    void conflictingInitialisationsAreRefused() {
        String ann = data.resolve("annotations/instances_train.json").toString();
        assertEquals(1, run("finetune", "--spec", "retinanet_tiny", "--train", ann, "--images", data.resolve("train").toString(),
                "--out", tmp.resolve("x").toString(), "--init", ann, "--backbone", ann, "--device", "cpu"));
    }
}
