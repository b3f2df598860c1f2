package org.aligndet.trainer.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The model-specs directory: specs ({@code NAME.json}), generated graphs ({@code graphs/NAME.ts},
 * {@code graphs/NAME.onnx}, {@code graphs/NAME.manifest.json}) and fixtures.
 *
 * <p>Found from the system property {@code aligndet.home} (the launcher sets it to the checkout),
 * the environment variable {@code ALIGNDET_HOME}, or the first parent of the working directory that
 * holds {@code model-specs/}.
 *
 * <p>Every method taking a spec accepts a <em>reference</em>: a spec name of this directory
 * ({@code retinanet_tiny}), or the path of a spec file anywhere ({@code specs/my_detector.json};
 * anything ending in {@code .json} is a path). A spec file's {@code name} must be its file's stem. Its
 * graphs ({@code NAME.ts}, {@code NAME.pretrain.ts}, {@code NAME.onnx}, {@code NAME.manifest.json})
 * are looked up in the folder its {@code graphs} key names, relative to the spec file, by default
 * {@code graphs/} beside it: the layout of {@code model-specs/} itself, and where the generator writes
 * them for {@code generate.py --spec path/to/NAME.json}.
 */
public final class ModelSpecs {
    private final Path dir;

    public ModelSpecs(Path dir) {
        this.dir = dir;
    }

    public static ModelSpecs locate() {
        for (String home : new String[] {System.getProperty("aligndet.home"), System.getenv("ALIGNDET_HOME"),
                System.getProperty("aligndet.root")}) {
            if (home != null && Files.isDirectory(Path.of(home, "model-specs"))) {
                return new ModelSpecs(Path.of(home, "model-specs"));
            }
        }
        Path d = Path.of("").toAbsolutePath();
        while (d != null) {
            if (Files.isDirectory(d.resolve("model-specs"))) {
                return new ModelSpecs(d.resolve("model-specs"));
            }
            d = d.getParent();
        }
        throw new SpecException("cannot find model-specs/: set -Daligndet.home or ALIGNDET_HOME to the aligndet checkout");
    }

    public Path directory() {
        return dir;
    }

    /** Names of every spec, sorted. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .forEach(p -> out.add(p.getFileName().toString().replaceFirst("\\.json$", "")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    /** Whether {@code ref} is the path of a spec file (it ends in {@code .json}) rather than a spec name. */
    public static boolean isPath(String ref) {
        return ref.endsWith(".json");
    }

    /** The spec a name of this directory or a spec file's path refers to (see the class comment). */
    public ModelSpec load(String ref) {
        if (isPath(ref)) {
            Path f = Path.of(ref).toAbsolutePath().normalize();
            if (!Files.isRegularFile(f)) {
                throw new SpecException(f + ": no such spec file" + (Files.isDirectory(f) ? " (a directory)" : ""));
            }
            ModelSpec s = ModelSpec.load(f);
            String stem = f.getFileName().toString().replaceFirst("\\.json$", "");
            if (!s.name().equals(stem)) {
                throw new SpecException(f + ": name '" + s.name() + "' is not the file's stem '" + stem
                        + "' (the graphs are found by the name: rename the file or the name)");
            }
            return s;
        }
        if (ref.isEmpty() || ref.contains("/") || ref.contains(java.io.File.separator)) {
            throw new SpecException("'" + ref + "' is neither a spec name of " + dir + " nor a spec file (a path ending in .json)");
        }
        Path f = dir.resolve(ref + ".json");
        if (!Files.exists(f)) {
            throw new SpecException("no spec named '" + ref + "' in " + dir + " (have: " + String.join(", ", names())
                    + "; or give the path of a spec file, NAME.json)");
        }
        return ModelSpec.load(f);
    }

    /** The folder a spec's graphs are in: this directory's {@code graphs/}, or the one a spec file's {@code graphs} key names. */
    public Path graphsDirectory(String ref) {
        String g = graphRef(ref);
        return isPath(g) ? load(g).graphsDirectory() : dir.resolve("graphs");
    }

    /** The spec's name: {@code ref} itself, or the {@code name} of the spec file it names. */
    public String nameOf(String ref) {
        return isPath(ref) ? load(ref).name() : ref;
    }

    /**
     * The spec whose graph files {@code ref} runs with: {@code ref} itself, or the spec its
     * {@code graphs_from} key names (see {@link #checkGraphsFrom}).
     */
    public String graphRef(String ref) {
        if (!isPath(ref)) {
            return ref;
        }
        ModelSpec s = load(ref);
        String from = s.graphsFrom();
        if (from == null) {
            return ref;
        }
        String base = isPath(from) ? s.file().toAbsolutePath().getParent().resolve(from).normalize().toString() : from;
        ModelSpec b;
        try {
            b = load(base);
        } catch (SpecException e) {
            throw new SpecException(s.file() + ": graphs_from '" + from + "': " + e.getMessage());
        }
        checkGraphsFrom(s, b);
        return base;
    }

    /**
     * The keys a generated graph is built from, other than the number of classes: a spec may run with
     * another spec's graphs ({@code graphs_from}) only when they agree on all of them.
     */
    public static final List<String[]> GRAPH_KEYS = List.of(new String[] {"family"}, new String[] {"backbone"},
            new String[] {"neck"}, new String[] {"head"}, new String[] {"input", "color"}, new String[] {"input", "mean"},
            new String[] {"input", "std"}, new String[] {"test"}, new String[] {"pretrain", "neck_norm"});

    /**
     * Checks that {@code spec} can run with {@code base}'s graphs: a dense family (RetinaNet, FCOS: the
     * classifier is the one layer sized by the classes, and it is sized at run time), the base has
     * graphs of its own, and every key of {@link #GRAPH_KEYS} is the same in both.
     */
    public static void checkGraphsFrom(ModelSpec spec, ModelSpec base) {
        String where = spec.file() + ": graphs_from " + base.name();
        if (base.graphsFrom() != null) {
            throw new SpecException(where + " itself takes its graphs from " + base.graphsFrom() + " (name that spec instead)");
        }
        if (spec.family() != Family.RETINANET && spec.family() != Family.FCOS) {
            throw new SpecException(where + ": run-time classifier sizing is for the dense families (RetinaNet, FCOS), not "
                    + spec.family().id() + "; generate graphs for the spec instead");
        }
        for (String[] k : GRAPH_KEYS) {
            if (!spec.at(k).equals(base.at(k))) {
                throw new SpecException(where + ": '" + String.join(".", k) + "' differs (" + spec.at(k) + " here, "
                        + base.at(k) + " there); only num_classes, the recipes, input.img_scale and the names may differ"
                        + " from the graphs' spec: generate graphs for this spec instead");
            }
        }
    }

    public Path graph(String name) {
        return generated(name, ".ts");
    }

    /**
     * The graph box-domain pre-training trains: {@code graphs/NAME.pretrain.ts} when the spec's
     * pre-training neck differs from its fine-tuning neck (AlignDet pre-trains an FPN without norm and
     * fine-tunes one with norm), else the fine-tuning graph.
     */
    public Path pretrainGraph(String name) {
        Path own = graphsDirectory(name).resolve(nameOf(graphRef(name)) + ".pretrain.ts");
        return Files.exists(own) ? own : graph(name);
    }

    public Path onnxTemplate(String name) {
        return generated(name, ".onnx");
    }

    public Path manifest(String name) {
        return generated(name, ".manifest.json");
    }

    public boolean isGenerated(String name) {
        Path g = graphsDirectory(name);
        String stem = nameOf(graphRef(name));
        return Files.exists(g.resolve(stem + ".ts")) && Files.exists(g.resolve(stem + ".onnx"));
    }

    private Path generated(String name, String ext) {
        String g = graphRef(name);
        Path p = graphsDirectory(g).resolve(nameOf(g) + ext);
        if (!Files.exists(p)) {
            throw new SpecException(p + " is not generated yet: run /usr/bin/python3 model-specs/generator/generate.py --spec "
                    + g + " (needs PyTorch; the tiny specs' graphs are committed)");
        }
        return p;
    }

    public Path fixtures(String name) {
        return dir.resolve("fixtures").resolve(name);
    }
}
