package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.export.onnx.TrainedCheckpoint;
import org.aligndet.trainer.data.VocReader;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.ShapeClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec for PASCAL VOC's 20 classes made as the README tells users to make one for N classes of
 * their own, without generating graphs: {@code retinanet_tiny.json} copied with {@code num_classes 20}
 * and {@code graphs_from: retinanet_tiny} (its classifier sized at run time). It fine-tunes on
 * VOC-format data whose objects carry VOC class names (the generated shapes renamed to classes 5, 7,
 * ..., 19: labels past the graphs' 8), exports to ONNX with a 180-channel classifier, passes the
 * cross-runtime check, round-trips through an mmdetection file, and, with the classifier biased towards classes 8..19, both runtimes detect
 * the same boxes with those labels.
 */
class Voc20SpecTest {
    @TempDir
    static Path tmp;
    static Path voc;
    static Path spec;

    static CliRun run(String... args) {
        return CliRun.main(args);
    }

    /** Shape {@code i} becomes VOC class {@code 19 - 2i}. */
    static String vocName(String shape) {
        return VocReader.VOC_CLASSES.get(19 - 2 * ShapeClass.classNames().indexOf(shape));
    }

    @BeforeAll
    static void prepare() throws Exception {
        voc = CliRun.smallVoc(tmp, 9);
        try (Stream<Path> xmls = Files.list(voc.resolve("Annotations"))) {
            for (Path x : xmls.toList()) {
                String t = Files.readString(x);
                for (String shape : ShapeClass.classNames()) {
                    t = t.replace("<name>" + shape + "</name>", "<name>" + vocName(shape) + "</name>");
                }
                Files.writeString(x, t);
            }
        }
        // the README's steps for N classes, graphs taken from the spec copied
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(ModelSpecs.locate().directory().resolve("retinanet_tiny.json").toFile());
        root.put("name", "voc_tiny");
        root.put("num_classes", 20);
        root.put("graphs_from", "retinanet_tiny");
        Files.createDirectories(tmp.resolve("specs"));
        spec = tmp.resolve("specs/voc_tiny.json");
        json.writerWithDefaultPrettyPrinter().writeValue(spec.toFile(), root);
    }

    @Test
    void aVocTwentySpecFineTunesExportsAndPassesTheCheck() throws Exception {
        Path out = tmp.resolve("ft");
        Path backbone = ModelSpecs.locate().directory().resolve("weights/tiny_backbone_synth.pth");
        CliRun f = run("finetune", "--spec", spec.toString(), "--train", voc.toString(), "--split", "train", "--backbone",
                backbone.toString(), "--out", out.toString(), "--iters", "6", "--scale", "128,96", "--recipe", "baseline",
                "--set", "finetune.warmup_iters=0", "--log-every", "1", "--threads", "1", "--workers", "1", "--device", "cpu");
        assertEquals(0, f.code(), f.err());
        TrainedCheckpoint ckpt = TrainedCheckpoint.read(out.resolve("last.pth"));
        assertArrayEquals(new long[] {180, 64, 3, 3}, ckpt.stateDict().get("bbox_head.retina_cls.weight").shape());
        assertEquals(VocReader.VOC_CLASSES, ckpt.classes());

        Path onnx = tmp.resolve("voc_tiny.onnx");
        CliRun e = run("export", "--checkpoint", out.resolve("last.pth").toString(), "--out", onnx.toString());
        assertEquals(0, e.code(), e.err());
        OnnxModel model = OnnxModel.load(onnx);
        assertArrayEquals(new long[] {180, 64, 3, 3}, model.initializer("bbox_head.retina_cls.weight").shape());
        assertEquals("voc_tiny", model.metadata().get("aligndet.spec"));
        Path report = tmp.resolve("check.json");
        CliRun k = run("check", "--checkpoint", out.resolve("last.pth").toString(), "--model", onnx.toString(), "--images",
                voc.resolve("JPEGImages").toString(), "-n", "2", "--json", report.toString());
        assertEquals(CheckCommand.PASSED, k.code(), k.out() + k.err());
        JsonNode j = new ObjectMapper().readTree(report.toFile());
        assertEquals(10, j.get("outputs").size());

        // the weights for Python users, and back: the mmdetection file imports strictly for the same spec
        Path mm = tmp.resolve("mm.pth");
        CliRun x = run("export", "--checkpoint", out.resolve("last.pth").toString(), "--mmdet", mm.toString());
        assertEquals(0, x.code(), x.err());
        assertArrayEquals(new long[] {180}, TorchCheckpoint.readStateDict(mm).get("bbox_head.retina_cls.bias").shape());
        CliRun imp = run("import", "--from", mm.toString(), "--spec", spec.toString(), "--out", tmp.resolve("back.pth").toString(),
                "--strict");
        assertEquals(0, imp.code(), imp.out() + imp.err());
        assertTrue(imp.out().contains("0 missing, 0 unexpected, 0 shape mismatches"), imp.out());

        // the same weights with classes 8..19 biased to score about 0.5: both runtimes detect, with those labels
        Map<String, HostTensor> sd = new LinkedHashMap<>(ckpt.stateDict());
        float[] b = sd.get("bbox_head.retina_cls.bias").toFloats();
        for (int i = 0; i < b.length; i++) {
            if (i % 20 >= 8) {
                b[i] = 0f;
            }
        }
        sd.put("bbox_head.retina_cls.bias", HostTensor.ofFloats(new long[] {180}, b));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("spec", "voc_tiny");
        meta.put("classes", new ArrayList<Object>(VocReader.VOC_CLASSES));
        meta.put("config", ckpt.metaText("config"));
        Path biased = tmp.resolve("biased.pth");
        TorchCheckpoint.write(biased, Map.of("state_dict", sd, "meta", meta));
        Path onnx2 = tmp.resolve("biased.onnx");
        CliRun e2 = run("export", "--checkpoint", biased.toString(), "--spec", spec.toString(), "--out", onnx2.toString());
        assertEquals(0, e2.code(), e2.err());
        Path report2 = tmp.resolve("check2.json");
        CliRun k2 = run("check", "--checkpoint", biased.toString(), "--spec", spec.toString(), "--model", onnx2.toString(),
                "--images", voc.resolve("JPEGImages").toString(), "-n", "2", "--json", report2.toString());
        assertEquals(CheckCommand.PASSED, k2.code(), k2.out() + k2.err());
        JsonNode j2 = new ObjectMapper().readTree(report2.toFile());
        assertTrue(j2.at("/detections/torchscript").asInt() > 0, j2.toString());
        assertEquals(1.0, j2.at("/detections/matched_of_onnxruntime").asDouble(), j2.toString());
        CliRun p = run("predict", "--model", onnx2.toString(), "--images", voc.resolve("JPEGImages").toString(), "--out",
                tmp.resolve("pred").toString(), "--no-progress");
        assertEquals(0, p.code(), p.err());
        JsonNode results = new ObjectMapper().readTree(tmp.resolve("pred/results.json").toFile());
        assertTrue(results.size() > 0);
        List<Integer> categories = new ArrayList<>();
        results.forEach(r -> categories.add(r.get("category_id").asInt()));
        assertTrue(categories.stream().allMatch(c -> c >= 9 && c <= 20), "labels 8..19 only: " + categories.stream().distinct().toList());
    }
}
