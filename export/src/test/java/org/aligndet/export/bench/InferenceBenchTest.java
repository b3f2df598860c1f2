package org.aligndet.export.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The convolution count read from an ONNX Runtime profile, on a profile written by hand. */
class InferenceBenchTest {
    @TempDir
    Path dir;

    private static String node(String name, String op, String out, String in, int us) {
        return "{\"cat\": \"Node\", \"name\": \"" + name + "_kernel_time\", \"dur\": " + us + ", \"args\": {\"op_name\": \"" + op
                + "\"" + (out == null ? "" : ", \"output_type_shape\": [{\"float\": " + out + "}], \"input_type_shape\": " + in) + "}}";
    }

    @Test
    void convolutionsAreCountedOncePerRunAndTimedOverAllRuns() throws Exception {
        String a = node("a", "Conv", "[1, 16, 8, 10]", "[{\"float\": [1, 3, 16, 20]}, {\"float\": [16, 3, 3, 3]}, {\"float\": [16]}]", 100);
        // depthwise: the weight's I/g is 1; batch 2
        String b = node("b", "Conv", "[2, 32, 4, 5]", "[{\"float\": [2, 32, 8, 10]}, {\"float\": [32, 1, 3, 3]}]", 50);
        String relu = node("r", "Relu", "[1, 16, 8, 10]", "[{\"float\": [1, 16, 8, 10]}]", 7);
        String bare = node("c", "Conv", null, null, 40); // no shapes recorded: neither counted nor timed
        String session = "{\"cat\": \"Session\", \"name\": \"model_run\", \"dur\": 999, \"args\": {}}";
        Path profile = dir.resolve("profile.json");
        Files.writeString(profile, "[" + String.join(", ", session, a, b, relu, bare, a, b, session) + "]");
        InferenceBench.ConvWork w = InferenceBench.convWork(InferenceBench.kernelEvents(profile));
        double perRun = 1 * 8 * 10 * 16 * 3 * 3 * 3 + 2 * 4 * 5 * 32 * 1 * 3 * 3; // 34560 + 11520
        assertEquals(46080, perRun);
        assertEquals(perRun, w.macsPerRun(), 1e-9);
        assertEquals(2 * perRun / 300e-6, w.kernelRate(), 1e-3); // two runs in 300 us of Conv kernel time
    }

    @Test
    void aProfileWithoutConvolutionsCountsNothing() throws Exception {
        Path profile = dir.resolve("empty.json");
        Files.writeString(profile, "[" + node("r", "Relu", "[1, 1, 2, 2]", "[{\"float\": [1, 1, 2, 2]}]", 5) + "]");
        InferenceBench.ConvWork w = InferenceBench.convWork(InferenceBench.kernelEvents(profile));
        assertEquals(0, w.macsPerRun());
        assertEquals(0, w.kernelRate());
    }
}
