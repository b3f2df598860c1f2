package org.aligndet.trainer.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graphs_from}: a spec running with another spec's graphs, and the keys both must share. */
class GraphsFromTest {
    @TempDir
    Path dir;

    final ModelSpecs specs = ModelSpecs.locate();

    Path write(String base, String name, Consumer<ObjectNode> edit) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(specs.directory().resolve(base + ".json").toFile());
        root.put("name", name);
        root.put("num_classes", 20);
        root.put("graphs_from", base);
        edit.accept(root);
        Path f = dir.resolve(name + ".json");
        json.writeValue(f.toFile(), root);
        return f;
    }

    @Test
    void theGraphFilesAreTheNamedSpecs() throws Exception {
        String ref = write("retinanet_tiny", "voc_tiny", r -> r.put("description", "mine")).toString();
        assertEquals("voc_tiny", specs.nameOf(ref));
        assertEquals(20, specs.load(ref).numClasses());
        assertEquals(specs.graph("retinanet_tiny"), specs.graph(ref));
        assertEquals(specs.onnxTemplate("retinanet_tiny"), specs.onnxTemplate(ref));
        assertEquals(specs.pretrainGraph("retinanet_tiny"), specs.pretrainGraph(ref));
        assertEquals(specs.manifest("retinanet_tiny"), specs.manifest(ref));
        assertTrue(specs.isGenerated(ref));
        // a spec file's path, relative to the referring spec's folder, works as well
        Files.copy(specs.directory().resolve("fcos_tiny.json"), dir.resolve("fcos_tiny.json"));
        Files.createDirectories(dir.resolve("graphs"));
        for (String ext : new String[] {".ts", ".onnx", ".manifest.json"}) {
            Files.copy(specs.directory().resolve("graphs/fcos_tiny" + ext), dir.resolve("graphs/fcos_tiny" + ext));
        }
        String f = write("fcos_tiny", "five", r -> r.put("graphs_from", "fcos_tiny.json")).toString();
        assertEquals(dir.resolve("graphs/fcos_tiny.ts"), specs.graph(f));
    }

    @Test
    void aDifferentGraphKeyIsRefusedNamingIt() throws Exception {
        String ref = write("retinanet_tiny", "wide", r -> ((ObjectNode) r.get("neck")).put("out_channels", 128)).toString();
        SpecException e = assertThrows(SpecException.class, () -> specs.graph(ref));
        assertTrue(e.getMessage().contains("'neck' differs") && e.getMessage().contains("generate graphs"), e.getMessage());
        String t = write("retinanet_tiny", "thr", r -> ((ObjectNode) r.get("test")).put("score_thr", 0.3)).toString();
        assertTrue(assertThrows(SpecException.class, () -> specs.onnxTemplate(t)).getMessage().contains("'test' differs"));
    }

    @Test
    void twoStageSpecsAndChainsAreRefused() throws Exception {
        String two = write("faster_rcnn_tiny", "two", r -> { }).toString();
        SpecException e = assertThrows(SpecException.class, () -> specs.graph(two));
        assertTrue(e.getMessage().contains("dense families"), e.getMessage());
        String missing = write("retinanet_tiny", "nobase", r -> r.put("graphs_from", "no_such_spec")).toString();
        assertTrue(assertThrows(SpecException.class, () -> specs.graph(missing)).getMessage().contains("graphs_from 'no_such_spec'"));
    }
}
