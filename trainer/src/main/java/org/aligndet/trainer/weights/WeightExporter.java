package org.aligndet.trainer.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * Writes this project's weights in another framework's names: the inverse of {@link WeightImporter}, driven by the
 * export tables {@code keymaps/export-*.keymap} (data, like the import tables; a round-trip test keeps the two
 * directions each other's inverse). Nothing is dropped silently: a name no rule can express is reported with why, and
 * so is every name the target model has that these weights do not provide.
 */
public final class WeightExporter {
    private WeightExporter() {
    }

    /** Where to: mmdetection's names or torchvision's layout of the spec's family. */
    public enum Target {
        MMDET, TORCHVISION;

        /** The {@code --mmdet} / {@code --torchvision} spelling. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Weights in a target layout.
     *
     * @param table          the export table used
     * @param tensors        target name → tensor, in the checkpoint's order (batch counters after their BN's running_var)
     * @param sourceOf       target name → this project's name it came from (absent for batch counters)
     * @param notExpressible this project's names the target layout cannot hold, with why (not written)
     * @param missing        target names the target model has that these weights lack, with why (not written)
     * @param lacks          names the target model has that this project's weights never provide, with why
     */
    public record Exported(Target target, KeyMap table, Map<String, HostTensor> tensors, Map<String, String> sourceOf,
                           Map<String, String> notExpressible, Map<String, String> missing, Map<String, String> lacks) {
        /** Whether the target model loads it strictly: nothing left out on either side. */
        public boolean complete() {
            return notExpressible.isEmpty() && missing.isEmpty() && lacks.isEmpty();
        }

        /** One line of counts. */
        public String summary() {
            return String.format("%d tensors written, %d names not expressible, %d target names missing", tensors.size(),
                    notExpressible.size(), missing.size() + lacks.size());
        }

        /** The counts, then every name not written on either side, with why. */
        public void print(java.io.PrintWriter out) {
            out.printf("  layout: %s%n  %s%n", table.description(), summary());
            if (!notExpressible.isEmpty()) {
                out.println("  not expressible in this layout (not written):");
                notExpressible.forEach((k, why) -> out.println("    " + k + ": " + why));
            }
            if (!missing.isEmpty() || !lacks.isEmpty()) {
                out.println("  the target model has, this file lacks (a strict load reports them missing):");
                missing.forEach((k, why) -> out.println("    " + k + ": " + why));
                lacks.forEach((k, why) -> out.println("    " + k + ": " + why));
            }
        }
    }

    /**
     * The export table for a target and spec: {@code export-mmdet}; {@code export-torchvision-FAMILY} by the spec's
     * family ({@code retinanet}, {@code fcos}).
     *
     * @throws IllegalArgumentException when torchvision has no layout for the spec's family
     */
    public static KeyMap table(Target target, ModelSpec spec) {
        if (target == Target.MMDET) {
            return KeyMap.load("export-mmdet");
        }
        String family = spec.family().name().toLowerCase(Locale.ROOT).replace('_', '-');
        String table = "export-torchvision-" + family;
        if (!KeyMap.exists(table)) {
            throw new IllegalArgumentException("spec " + spec.name() + ": no torchvision layout for the " + family
                    + " family (no table keymaps/" + table + ".keymap; torchvision export covers RetinaNet and FCOS)");
        }
        return KeyMap.load(table);
    }

    /**
     * Renames {@code state} (this project's names) into the target's.
     *
     * @param layouts the spec's parameter layouts ({@link WeightImporter#layouts}): what the target model has is the
     *                table's {@code layout}, else the layout sharing the most names with {@code state}
     */
    public static Exported export(Map<String, HostTensor> state, Target target, ModelSpec spec,
                                  Map<String, Map<String, long[]>> layouts) {
        KeyMap table = table(target, spec);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, String> sourceOf = new LinkedHashMap<>();
        Map<String, String> notExpressible = new LinkedHashMap<>();
        for (var e : state.entrySet()) {
            KeyMap.Outcome o = table.apply(e.getKey(), false);
            if (o.kind() != KeyMap.Kind.MAP) {
                notExpressible.put(e.getKey(), o.reason());
                continue;
            }
            if (sourceOf.containsKey(o.target())) {
                notExpressible.put(e.getKey(), "maps to " + o.target() + ", already taken by " + sourceOf.get(o.target()));
                continue;
            }
            tensors.put(o.target(), e.getValue());
            sourceOf.put(o.target(), e.getKey());
            if (table.batchCounters() && o.target().endsWith(".running_var")) {
                tensors.put(counter(o.target()), HostTensor.ofLongs(new long[0], 0L));
            }
        }
        Map<String, String> missing = new LinkedHashMap<>();
        Map<String, long[]> expected = expectedLayout(table, state, layouts);
        for (String ours : expected.keySet()) {
            KeyMap.Outcome o = table.apply(ours, false);
            if (o.kind() == KeyMap.Kind.MAP && !tensors.containsKey(o.target())) {
                missing.put(o.target(), "the target model has it" + (ours.equals(o.target()) ? "" : " (" + ours
                        + " in this project's names)") + "; the checkpoint lacks it");
            }
        }
        return new Exported(target, table, tensors, sourceOf, notExpressible, missing, table.lacks());
    }

    private static Map<String, long[]> expectedLayout(KeyMap table, Map<String, HostTensor> state,
                                                      Map<String, Map<String, long[]>> layouts) {
        if (table.layout() != null) {
            Map<String, long[]> l = layouts.get(table.layout());
            if (l == null) {
                throw new IllegalArgumentException("export table " + table.name() + " needs the spec's " + table.layout()
                        + " layout, which its manifest does not list");
            }
            return l;
        }
        Map<String, long[]> best = Map.of();
        long hits = -1;
        for (Map<String, long[]> l : layouts.values()) {
            long h = state.keySet().stream().filter(l::containsKey).count();
            if (h > hits) {
                hits = h;
                best = l;
            }
        }
        return best;
    }

    private static String counter(String runningVar) {
        return runningVar.substring(0, runningVar.length() - "running_var".length()) + "num_batches_tracked";
    }

    /**
     * What mmdetection's {@code load_checkpoint} reads: {@code {'state_dict': ..., 'meta': {'CLASSES': [...],
     * 'dataset_meta': {'classes': [...]}, 'aligndet': provenance}}} (2.x reads {@code CLASSES}, 3.x
     * {@code dataset_meta}); the class entries only when the names are known.
     */
    public static Map<String, Object> mmdetCheckpoint(Exported e, List<String> classes, Map<String, Object> provenance) {
        Map<String, Object> meta = new LinkedHashMap<>();
        if (classes != null) {
            meta.put("CLASSES", new ArrayList<>(classes));
            Map<String, Object> dataset = new LinkedHashMap<>();
            dataset.put("classes", new ArrayList<>(classes));
            meta.put("dataset_meta", dataset);
        }
        meta.put("aligndet", provenance(e, provenance));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", new LinkedHashMap<>(e.tensors()));
        root.put("meta", meta);
        return root;
    }

    /** What torchvision's references save: {@code {'model': state_dict}}, plus {@code 'aligndet'}: provenance. */
    public static Map<String, Object> torchvisionCheckpoint(Exported e, Map<String, Object> provenance) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", new LinkedHashMap<>(e.tensors()));
        root.put("aligndet", provenance(e, provenance));
        return root;
    }

    private static Map<String, Object> provenance(Exported e, Map<String, Object> given) {
        Map<String, Object> p = new LinkedHashMap<>(given);
        p.put("layout", e.table().description());
        p.put("not_expressible", new ArrayList<>(e.notExpressible().keySet()));
        p.put("missing", new ArrayList<>(e.missing().keySet()));
        return p;
    }
}
