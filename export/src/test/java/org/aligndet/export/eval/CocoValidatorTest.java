package org.aligndet.export.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.finetune.ValidationResult;
import org.aligndet.trainer.infer.Preprocessor;
import org.aligndet.trainer.infer.TorchPredictor;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning validation skips and lists an unreadable image instead of failing the run. */
class CocoValidatorTest {
    @Test
    void anUnreadableValidationImageIsSkippedAndListed(@TempDir Path dir) throws Exception {
        SynthGenerator.generate(new SynthConfig(dir.resolve("data"), 10, 3, 0.4, 96, 0, 96, 1, false, false));
        Path val = dir.resolve("data/val");
        Path broken;
        try (var s = Files.list(val)) {
            broken = s.sorted().findFirst().orElseThrow();
        }
        Files.write(broken, new byte[0]);
        ModelSpecs specs = ModelSpecs.locate();
        ModelSpec spec = specs.load("retinanet_tiny");
        CocoValidator v = CocoValidator.coco(dir.resolve("data/annotations/instances_val.json"), val,
                Preprocessor.of(spec).withScale(128, 96), 2);
        DenseFamily family = DetectorFamily.dense(spec);
        try (DenseDetector det = family.detector(TorchGraph.load(specs.graph("retinanet_tiny"), Device.cpu()))) {
            ValidationResult r = v.validate(new TorchPredictor(det, family.postprocess()), 1);
            assertEquals(1, r.skipped().size());
            assertTrue(r.skipped().get(0).contains(broken.toString()), r.skipped().get(0));
            assertTrue(r.metrics().containsKey("bbox_mAP"));
        }
    }
}
