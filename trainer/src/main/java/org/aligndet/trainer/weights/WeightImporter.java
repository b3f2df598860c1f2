package org.aligndet.trainer.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.Placeholder;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;

/**
 * Brings a checkpoint of another framework into this project's names: reads it safely (objects
 * outside the whitelist become inert placeholders, see {@link TorchCheckpoint#readForImport}), finds
 * its state dict ({@code state_dict}, torchvision references' {@code model}, or the root), picks the
 * name table ({@link WeightFormat}, {@code auto} by key names), renames and drops as the
 * table says ({@link KeyMap}), and compares the result with a spec's parameters
 * ({@link #compare}). {@link DetectorInit} uses the same {@link #map} for {@code --backbone} and
 * {@code --init}.
 */
public final class WeightImporter {
    private WeightImporter() {
    }

    /**
     * A checkpoint in this project's names.
     *
     * @param tensors    target name → tensor, in source order
     * @param sourceOf   target name → the source name it came from
     * @param unexpected source names no rule imports, with why
     * @param dropped    source names deliberately left out, with why
     * @param table      the name table used
     * @param guessed    whether the table was detected ({@code auto})
     * @param root       the top-level object read (for its {@code meta})
     */
    public record Mapped(Path file, WeightFormat format, KeyMap table, boolean guessed, String detail,
                         Map<String, HostTensor> tensors, Map<String, String> sourceOf, Map<String, String> unexpected,
                         Map<String, String> dropped, Map<String, String> placeholders, Object root) {
        /** The source's {@code meta} dict, or an empty map. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> meta() {
            return root instanceof Map<?, ?> r && r.get("meta") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }
    }

    /**
     * Reads and renames {@code file}.
     *
     * @param momentum import the momentum copy (AlignDet {@code target_backbone.*}, MoCo {@code encoder_k.*})
     * @throws IllegalArgumentException naming the file when it holds no state dict or no table fits
     */
    public static Mapped map(Path file, WeightFormat format, boolean momentum) throws IOException {
        TorchCheckpoint.ForeignRead read = TorchCheckpoint.readForImport(file);
        Map<String, String> dropped = new LinkedHashMap<>();
        Map<String, HostTensor> state = stateDict(file, read.root(), dropped);
        KeyMap table = null;
        for (String t : format.tables()) {
            KeyMap k = KeyMap.load(t);
            if (state.keySet().stream().anyMatch(k::detects)) {
                table = k;
                break;
            }
        }
        if (table == null) {
            if (format.tables().size() != 1) {
                throw new IllegalArgumentException(file + ": the key names (" + DetectorInit.head(new ArrayList<>(state.keySet()))
                        + ") match no known format" + (format == WeightFormat.AUTO ? "" : " of --format " + format.cliName())
                        + "; known: mmdet, torchvision, aligndet, moco");
            }
            table = KeyMap.load(format.tables().get(0));
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, String> sourceOf = new LinkedHashMap<>();
        Map<String, String> unexpected = new LinkedHashMap<>();
        for (var e : state.entrySet()) {
            KeyMap.Outcome o = table.apply(e.getKey(), momentum);
            switch (o.kind()) {
                case DROP -> dropped.put(e.getKey(), o.reason());
                case UNMAPPABLE -> unexpected.put(e.getKey(), o.reason());
                default -> {
                    if (sourceOf.containsKey(o.target())) {
                        unexpected.put(e.getKey(), "maps to " + o.target() + ", already taken by " + sourceOf.get(o.target()));
                        continue;
                    }
                    tensors.put(o.target(), e.getValue());
                    sourceOf.put(o.target(), e.getKey());
                }
            }
        }
        return new Mapped(file, WeightFormat.ofTable(table.name()), table, format == WeightFormat.AUTO,
                detail(table, read.root()), tensors, sourceOf, unexpected, dropped, read.placeholders(), read.root());
    }

    private static long[] withFirst(long[] shape, long first) {
        long[] out = shape.clone();
        out[0] = first;
        return out;
    }

    /** The names and shapes of a spec's parameters: {@code finetune} and {@code pretrain} layouts, from its manifest. */
    public static Map<String, Map<String, long[]>> layouts(ModelSpecs specs, String spec) {
        Path manifest = specs.manifest(spec);
        try {
            JsonNode root = new ObjectMapper().readTree(manifest.toFile());
            Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
            for (String[] l : new String[][] {{"finetune", "parameters"}, {"pretrain", "pretrain_parameters"}}) {
                JsonNode ps = root.path(l[1]);
                if (!ps.isArray() || ps.isEmpty()) {
                    continue;
                }
                Map<String, long[]> names = new LinkedHashMap<>();
                for (JsonNode p : ps) {
                    long[] shape = new long[p.path("shape").size()];
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = p.path("shape").get(i).asLong();
                    }
                    names.put(p.path("name").asText(), shape);
                }
                out.put(l[0], names);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(manifest + ": lists no parameters");
            }
            ModelSpec s = specs.load(spec);
            if (s.graphsFrom() != null && DetectorFamily.of(s) instanceof org.aligndet.trainer.family.DenseFamily d) {
                // the graphs are another spec's: the classifier is sized for this spec's classes at run time
                long rows = (long) d.priorsPerLocation() * s.numClasses();
                for (Map<String, long[]> names : out.values()) {
                    names.computeIfPresent(d.classifierWeight(), (k, v) -> withFirst(v, rows));
                    names.computeIfPresent(d.classifierBias(), (k, v) -> withFirst(v, rows));
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException(manifest + ": cannot read the graph manifest: " + e.getMessage(), e);
        }
    }

    /**
     * Compares mapped weights with a spec's parameters; the layout ({@code finetune} or {@code pretrain}) is the one
     * that takes the most names. Refuses, in one line, weights that belong to another spec: when more shared names
     * disagree in shape than agree, or when no name is shared at all.
     */
    public static ImportReport compare(Mapped m, String specName, Map<String, Map<String, long[]>> layouts) {
        String layout = null;
        long best = -1;
        for (var l : layouts.entrySet()) {
            long hits = m.tensors().keySet().stream().filter(l.getValue()::containsKey).count();
            if (hits > best) {
                best = hits;
                layout = l.getKey();
            }
        }
        Map<String, long[]> target = layouts.get(layout);
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, String> absent = new LinkedHashMap<>();
        List<ImportReport.Mismatch> mismatched = new ArrayList<>();
        for (var t : target.entrySet()) {
            HostTensor have = m.tensors().get(t.getKey());
            if (have == null) {
                String why = m.table().absentReason(t.getKey());
                if (why != null) {
                    absent.put(t.getKey(), why);
                } else {
                    missing.add(t.getKey());
                }
            } else if (!Arrays.equals(have.shape(), t.getValue())) {
                mismatched.add(new ImportReport.Mismatch(t.getKey(), m.sourceOf().get(t.getKey()), have.shape(), t.getValue()));
            } else {
                loaded.add(t.getKey());
            }
        }
        Map<String, String> unexpected = new LinkedHashMap<>(m.unexpected());
        m.tensors().keySet().stream().filter(k -> !target.containsKey(k))
                .forEach(k -> unexpected.put(m.sourceOf().get(k), "maps to " + k + ", which " + specName + " does not have"));
        if (loaded.isEmpty() && mismatched.isEmpty()) {
            throw new IllegalArgumentException(m.file() + ": none of its " + m.tensors().size() + " mapped tensors ("
                    + m.format().cliName() + ": " + m.table().description() + ") is a parameter of " + specName
                    + (m.tensors().isEmpty() ? "" : ", e.g. " + m.tensors().keySet().iterator().next()));
        }
        if (mismatched.size() > loaded.size()) {
            ImportReport.Mismatch first = mismatched.get(0);
            throw new IllegalArgumentException(m.file() + ": weights for another spec: " + mismatched.size() + " of "
                    + (mismatched.size() + loaded.size()) + " shared tensors differ in shape from " + specName + "'s (e.g. "
                    + first.target() + " " + Arrays.toString(first.sourceShape()) + " vs " + Arrays.toString(first.targetShape())
                    + "); import it with the --spec it was trained for");
        }
        return new ImportReport(m.file().toString(), m.format().cliName(), m.detail(), m.guessed(), layout, loaded, missing,
                absent, unexpected, mismatched, m.dropped(), m.placeholders());
    }

    /**
     * The checkpoint {@code aligndet import} writes: {@code state_dict} (the loaded tensors in the spec's order) and
     * {@code meta} naming the spec, the layout, the source file and its format; class names when the source has them.
     */
    public static Map<String, Object> checkpoint(Mapped m, ImportReport r, String specName, boolean momentum) {
        Map<String, Object> sd = new LinkedHashMap<>();
        r.loaded().forEach(k -> sd.put(k, m.tensors().get(k)));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("stage", "import");
        meta.put("spec", specName);
        meta.put("layout", r.layout());
        meta.put("source", m.file().toAbsolutePath().normalize().toString());
        meta.put("source_format", r.format());
        meta.put("source_detail", r.detail());
        meta.put("momentum_copy", momentum);
        meta.put("missing", new ArrayList<>(r.missing()));
        List<String> classes = classes(m.meta());
        if (classes != null) {
            meta.put("classes", classes);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", sd);
        root.put("meta", meta);
        return root;
    }

    private static List<String> classes(Map<String, Object> meta) {
        Object c = meta.get("classes");
        if (c == null) {
            c = meta.get("CLASSES");
        }
        if (c == null && meta.get("dataset_meta") instanceof Map<?, ?> dm) {
            c = dm.get("classes");
        }
        List<?> items = c instanceof List<?> l ? l
                : c instanceof org.aligndet.bridge.checkpoint.PickleTuple t ? t.items() : null;
        if (items == null || !items.stream().allMatch(String.class::isInstance)) {
            return null;
        }
        return items.stream().map(String.class::cast).toList();
    }

    /**
     * The state dict of a read checkpoint: {@code state_dict}, else {@code model} (torchvision references), else the
     * root. Non-tensor entries are dropped with a reason; a file holding a pickled object rather than weights is an
     * error that says so.
     */
    static Map<String, HostTensor> stateDict(Path file, Object root, Map<String, String> dropped) {
        Object sd = root;
        if (root instanceof Map<?, ?> m) {
            for (String k : new String[] {"state_dict", "model", "model_state_dict"}) {
                if (m.get(k) instanceof Map<?, ?> || m.get(k) instanceof Placeholder) {
                    sd = m.get(k);
                    break;
                }
            }
        }
        if (sd instanceof Placeholder p) {
            throw new IllegalArgumentException(file + ": holds a pickled " + p.global() + " object, not a state dict;"
                    + " in Python, torch.save(model.state_dict(), f) and import that file");
        }
        if (!(sd instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(file + ": holds a " + (sd == null ? "None" : sd.getClass().getSimpleName())
                    + ", not a state dict");
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (var e : map.entrySet()) {
            if (e.getKey() instanceof String k && e.getValue() instanceof HostTensor t) {
                out.put(k, t);
            } else if (sd != root || e.getValue() instanceof HostTensor) {
                dropped.put(String.valueOf(e.getKey()), "not a tensor");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no tensors under state_dict, model or the top level (top-level keys: "
                    + (root instanceof Map<?, ?> r ? DetectorInit.head(r.keySet().stream().map(String::valueOf).toList()) : "none")
                    + ")");
        }
        return out;
    }

    private static String detail(KeyMap table, Object root) {
        Map<?, ?> r = root instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> meta = r.get("meta") instanceof Map<?, ?> m ? m : Map.of();
        if (meta.get("stage") instanceof String stage && meta.containsKey("spec")) {
            return "AlignDet on the JVM, stage " + stage;
        }
        if (r.containsKey("message_hub") || meta.containsKey("mmengine_version") || meta.containsKey("dataset_meta")) {
            return "mmdetection 3.x (mmengine)" + (meta.get("mmengine_version") instanceof String v ? " " + v : "");
        }
        if (meta.get("mmdet_version") instanceof String v) {
            return "mmdetection " + v;
        }
        return table.description();
    }
}
