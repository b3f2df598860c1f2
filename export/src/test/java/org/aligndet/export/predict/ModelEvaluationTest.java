package org.aligndet.export.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.export.eval.EvalInputException;
import org.aligndet.export.eval.EvalReport;
import org.aligndet.export.eval.IouType;
import org.aligndet.export.eval.ResultsEvaluation;
import org.aligndet.export.eval.VocEvaluator;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.ShapeClass;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;
import org.aligndet.trainer.synth.SynthSummary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --model}'s work on a small generated benchmark with the committed exported tiny
 * RetinaNet: the results file it writes scores to the numbers it reports.
 */
class ModelEvaluationTest {
    @TempDir
    static Path shared;
    static SynthSummary bench;

    @TempDir
    Path dir;

    @BeforeAll
    static void generate() throws Exception {
        bench = SynthGenerator.generate(new SynthConfig(shared.resolve("bench"), 6, 5, 0.5, 160, 0,
                SynthConfig.DEFAULT_CROP_SIZE, 2, false, false));
    }

    private static OnnxPredictor model() {
        return OnnxPredictor.open(ModelSpecs.locate().directory().resolve("fixtures/export/retinanet_tiny.onnx"), OrtSessions.CPU);
    }

    @Test
    void cocoReportMatchesTheWrittenResults() {
        try (OnnxPredictor p = model()) {
            Path results = dir.resolve("results.json");
            ModelEvaluation.Outcome o = new ModelEvaluation(p, 2, false).coco(bench.valAnnotations(), bench.out().resolve("val"), results);
            assertEquals(3, o.run().images().size());
            assertTrue(o.run().numDetections() > 0, "the fixture model detects plenty");
            EvalReport again = ResultsEvaluation.coco(bench.valAnnotations(), results);
            assertEquals(o.report().json().get("stats"), again.json().get("stats"));
        }
    }

    @Test
    void maskApNeedsAModelWithMasks() {
        try (OnnxPredictor p = model()) {
            assertTrue(!p.hasMasks(), "the RetinaNet fixture has no masks output");
            EvalInputException e = assertThrows(EvalInputException.class, () -> new ModelEvaluation(p, 1, false)
                    .coco(bench.valAnnotations(), bench.out().resolve("val"), dir.resolve("segm.json"), IouType.SEGM));
            assertTrue(e.getMessage().contains("needs a model with a 'masks' output"), e.getMessage());
            IllegalStateException s = assertThrows(IllegalStateException.class, () -> p.predictMasks(List.of()));
            assertTrue(s.getMessage().contains("no 'masks' output"), s.getMessage());
        }
    }

    @Test
    void vocReportMatchesTheWrittenResults() {
        try (OnnxPredictor p = model()) {
            Path results = dir.resolve("voc.json");
            VocEvaluator eval = new VocEvaluator();
            List<String> classes = ShapeClass.classNames();
            ModelEvaluation.Outcome o = new ModelEvaluation(p, 1, false).voc(bench.vocRoot(), "test", classes, eval, results);
            assertEquals(3, o.run().images().size());
            EvalReport again = ResultsEvaluation.voc(bench.vocRoot().getParent(), "test", classes, eval, results);
            assertEquals(o.report().json().get("mAP").asDouble(), again.json().get("mAP").asDouble(), 1e-12);
            List<String> nine = new ArrayList<>(classes);
            nine.add("unicorn");
            EvalInputException e = assertThrows(EvalInputException.class,
                    () -> new ModelEvaluation(p, 1, false).voc(bench.vocRoot(), "test", nine, eval, results));
            assertTrue(e.getMessage().contains("the model has 8 classes"), e.getMessage());
        }
    }
}
