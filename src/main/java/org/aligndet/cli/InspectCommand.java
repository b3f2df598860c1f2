package org.aligndet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aligndet.bridge.inspect.Inspection;
import org.aligndet.bridge.inspect.Inspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Names, dtypes and shapes of a checkpoint, TorchScript graph or ONNX model. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the tensors (name, dtype, shape) of a .pth/.pt checkpoint, a TorchScript graph or an ONNX model.",
        footer = {"%nExample:%n  aligndet inspect --json runs/ft/best.pth", "%nExit codes: 0 printed, 1 unreadable or unsafe file, 2 usage."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "checkpoint, TorchScript graph or ONNX model")
    Path file;

    @Option(names = "--json", description = "print JSON instead of a table (default: a table)")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Inspection r = Inspector.inspect(file);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(r)));
        } else {
            printTable(out, r);
        }
        out.flush();
        return 0;
    }

    static Map<String, Object> toJson(Inspection r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", r.file());
        m.put("kind", r.kind().name().toLowerCase());
        List<Map<String, Object>> ts = new ArrayList<>();
        for (Inspection.Entry e : r.tensors()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", e.name());
            t.put("dtype", e.dtype());
            t.put("shape", e.shape());
            ts.add(t);
        }
        m.put("tensors", ts);
        m.put("total_elements", r.totalElements());
        m.putAll(r.facts());
        return m;
    }

    static void printTable(PrintWriter out, Inspection r) {
        out.printf("%s: %s, %d tensors, %,d elements%n", r.file(), r.kind().name().toLowerCase(), r.tensors().size(),
                r.totalElements());
        int w = Math.max(4, r.tensors().stream().mapToInt(e -> e.name().length()).max().orElse(4));
        out.printf("%-" + w + "s  %-8s  %s%n", "name", "dtype", "shape");
        out.println("-".repeat(w) + "  --------  -----");
        for (Inspection.Entry e : r.tensors()) {
            out.printf("%-" + w + "s  %-8s  %s%n", e.name(), e.dtype(), Arrays.toString(e.shape()));
        }
        r.facts().forEach((k, vs) -> {
            out.println();
            out.println(k + ":");
            vs.forEach(v -> out.println("  " + v));
        });
    }
}
