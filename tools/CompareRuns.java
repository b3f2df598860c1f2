import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares two demo folders: every {@code loss*} value of every metrics.jsonl row (matched by iter and
 * mode) to 1e-6 relative, and the 12 COCO stats of each evaluation report exactly. Prints each
 * difference; exit 1 when there is one. Run with Jackson on the class path (tools/same-numbers.sh).
 */
public final class CompareRuns {
    static final ObjectMapper JSON = new ObjectMapper();
    static final double TOL = 1e-6;

    public static void main(String[] args) throws Exception {
        Path a = Path.of(args[0]);
        Path b = Path.of(args[1]);
        int differences = 0;
        int compared = 0;
        for (String run : List.of("pretrain", "finetune-aligndet", "finetune-baseline")) {
            Map<String, JsonNode> ra = rows(a.resolve(run).resolve("metrics.jsonl"));
            Map<String, JsonNode> rb = rows(b.resolve(run).resolve("metrics.jsonl"));
            if (!ra.keySet().equals(rb.keySet())) {
                System.out.printf("%s: logged rows differ: %s vs %s%n", run, ra.keySet(), rb.keySet());
                differences++;
            }
            for (var e : ra.entrySet()) {
                JsonNode y = rb.get(e.getKey());
                if (y == null) {
                    continue;
                }
                for (Iterator<String> it = e.getValue().fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    boolean metric = k.startsWith("loss") || k.startsWith("bbox_mAP");
                    if (!metric) {
                        continue;
                    }
                    double u = e.getValue().get(k).asDouble();
                    double v = y.path(k).asDouble(Double.NaN);
                    compared++;
                    if (!(Math.abs(u - v) <= TOL * Math.max(1, Math.abs(u)))) {
                        System.out.printf("%s %s %s: %.9g vs %.9g%n", run, e.getKey(), k, u, v);
                        differences++;
                    }
                }
            }
        }
        for (String run : List.of("eval-aligndet", "eval-baseline")) {
            JsonNode sa = JSON.readTree(a.resolve(run).resolve("report.json").toFile()).path("stats");
            JsonNode sb = JSON.readTree(b.resolve(run).resolve("report.json").toFile()).path("stats");
            compared += sa.size();
            if (!sa.equals(sb)) {
                System.out.printf("%s stats: %s vs %s%n", run, sa, sb);
                differences++;
            }
        }
        System.out.printf("same-numbers: %d values compared, %d differences%n", compared, differences);
        System.exit(differences == 0 && compared > 0 ? 0 : 1);
    }

    /** Rows by "iter/mode". */
    static Map<String, JsonNode> rows(Path file) throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        for (String line : lines) {
            if (!line.isBlank()) {
                JsonNode n = JSON.readTree(line);
                out.put(n.path("iter").asLong() + "/" + n.path("mode").asText("train"), n);
            }
        }
        return out;
    }
}
