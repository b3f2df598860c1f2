package org.aligndet.trainer.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config files (JSON, YAML) and {@code --set} over a spec's recipes; spec files given by path. */
class RecipeConfigTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();

    @TempDir
    Path dir;

    @Test
    void fileThenSetOverrideTheRecipeInThatOrder() throws Exception {
        Path yaml = dir.resolve("c.yml");
        Files.writeString(yaml, "pretrain:\n  temperature: 0.2\n  steps: [3]\nfinetune:\n  lr: 0.02\n  batch: 8\n"
                + "  weight_decay: 5e-5\n"); // YAML 1.1 reads 5e-5 as text: taken as the number it spells
        RecipeConfig c = RecipeConfig.none().withFile(yaml).withSet("pretrain.temperature=0.3").withSet("finetune.steps=[5, 7]");
        ModelSpec s = c.applyTo(SPECS.load("retinanet_tiny"));
        assertEquals(0.3, s.pretrain().temperature());
        assertEquals(List.of(3), s.pretrainRecipe().steps());
        assertEquals(0.02, s.finetuneRecipe().lr());
        assertEquals(8, s.finetuneRecipe().batch());
        assertEquals(List.of(5, 7), s.finetuneRecipe().steps());
        assertEquals(0.9, s.finetuneRecipe().momentum(), "keys not overridden keep the spec's value");
        assertEquals(5e-5, s.finetuneRecipe().weightDecay());
        assertEquals(List.of("pretrain.temperature=0.3", "finetune.steps=[5, 7]"), c.sets());
        assertEquals(0.5, SPECS.load("retinanet_tiny").pretrain().temperature(), "the spec itself is unchanged");

        Path json = dir.resolve("c.json");
        Files.writeString(json, "{\"finetune\": {\"weight_decay\": 0.0005}}");
        assertEquals(0.0005, RecipeConfig.none().withFile(json).applyTo(SPECS.load("fcos_tiny")).finetuneRecipe().weightDecay());
        ModelSpec plain = SPECS.load("retinanet_tiny");
        assertSame(plain, RecipeConfig.none().applyTo(plain));
    }

    @Test
    void badKeysValuesAndFilesAreNamed() throws Exception {
        SpecException unknown = assertThrows(SpecException.class, () -> RecipeConfig.none().withSet("finetune.learning_rate=1"));
        assertTrue(unknown.getMessage().startsWith("--set finetune.learning_rate=1: unknown key 'finetune.learning_rate' (valid: "
                + "finetune.batch, finetune.epochs"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("pretrain.temperature"), unknown.getMessage());
        SpecException kind = assertThrows(SpecException.class, () -> RecipeConfig.none().withSet("finetune.lr=fast"));
        assertEquals("--set finetune.lr=fast: finetune.lr takes a number, got \"fast\"", kind.getMessage());
        assertThrows(SpecException.class, () -> RecipeConfig.none().withSet("finetune.epochs=1.5"));
        assertThrows(SpecException.class, () -> RecipeConfig.none().withSet("lr"));
        Path badYaml = dir.resolve("bad.yaml");
        Files.writeString(badYaml, "finetune: [unclosed\n");
        SpecException y = assertThrows(SpecException.class, () -> RecipeConfig.none().withFile(badYaml));
        assertTrue(y.getMessage().startsWith(badYaml + ": not valid YAML"), y.getMessage());
        Path badJson = dir.resolve("bad.json");
        Files.writeString(badJson, "finetune:\n  lr: 0.1\n");
        SpecException j = assertThrows(SpecException.class, () -> RecipeConfig.none().withFile(badJson));
        assertTrue(j.getMessage().startsWith(badJson + ": not valid JSON") && j.getMessage().contains(".yaml or .yml"), j.getMessage());
        Path section = dir.resolve("s.json");
        Files.writeString(section, "{\"finetune\": {\"lr\": 0.1, \"momentun\": 0.8}}");
        SpecException k = assertThrows(SpecException.class, () -> RecipeConfig.none().withFile(section));
        assertTrue(k.getMessage().startsWith(section + ": unknown key 'finetune.momentun' (valid: "), k.getMessage());
        SpecException missing = assertThrows(SpecException.class, () -> RecipeConfig.none().withFile(dir.resolve("none.yaml")));
        assertEquals(dir.resolve("none.yaml") + ": no such config file", missing.getMessage());
        SpecException range = assertThrows(SpecException.class,
                () -> RecipeConfig.none().withSet("pretrain.temperature=0").applyTo(SPECS.load("retinanet_tiny")));
        assertTrue(range.getMessage().contains("temperature 0.0") && range.getMessage().endsWith("(with the settings of --set "
                + "pretrain.temperature=0)"), range.getMessage());
    }

    @Test
    void specFilesFindTheirGraphsBesideThemOrWhereTheySay() throws Exception {
        String tiny = Files.readString(SPECS.directory().resolve("retinanet_tiny.json"));
        Path own = dir.resolve("retinanet_tiny.json");
        Files.writeString(own, tiny.replaceFirst("\\{", "{\"graphs\": \"" + SPECS.directory().resolve("graphs") + "\","));
        assertEquals(SPECS.graph("retinanet_tiny"), SPECS.graph(own.toString()));
        assertEquals(SPECS.pretrainGraph("retinanet_tiny"), SPECS.pretrainGraph(own.toString()));
        assertTrue(SPECS.isGenerated(own.toString()));
        assertEquals("retinanet_tiny", SPECS.nameOf(own.toString()));

        Path beside = dir.resolve("mine/my_det.json");
        Files.createDirectories(beside.getParent());
        Files.writeString(beside, tiny.replace("\"name\": \"retinanet_tiny\"", "\"name\": \"my_det\""));
        assertEquals(dir.resolve("mine/graphs"), SPECS.graphsDirectory(beside.toString()));
        SpecException notYet = assertThrows(SpecException.class, () -> SPECS.graph(beside.toString()));
        assertEquals(dir.resolve("mine/graphs/my_det.ts") + " is not generated yet: run /usr/bin/python3 "
                + "model-specs/generator/generate.py --spec " + beside + " (needs PyTorch; the tiny specs' graphs are committed)",
                notYet.getMessage());
        Path renamed = dir.resolve("other.json");
        Files.copy(beside, renamed);
        SpecException stem = assertThrows(SpecException.class, () -> SPECS.load(renamed.toString()));
        assertTrue(stem.getMessage().startsWith(renamed + ": name 'my_det' is not the file's stem 'other'"), stem.getMessage());
        assertThrows(SpecException.class, () -> SPECS.load("some/dir/spec"));
    }

    @Test
    void vocSpecsHaveTwentyClasses() {
        for (String n : List.of("retinanet_r50_fpn_voc", "fcos_r50_fpn_voc")) {
            ModelSpec s = SPECS.load(n);
            assertEquals(20, s.numClasses(), n);
            assertEquals(n, s.name());
            assertEquals(SPECS.load(n.replace("_voc", "")).neckChannels(), s.neckChannels(), n + ": same architecture as COCO's");
        }
    }
}
