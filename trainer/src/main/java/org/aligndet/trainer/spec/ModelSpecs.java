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
        return isPath(ref) ? load(ref).graphsDirectory() : dir.resolve("graphs");
    }

    /** The spec's name: {@code ref} itself, or the {@code name} of the spec file it names. */
    public String nameOf(String ref) {
        return isPath(ref) ? load(ref).name() : ref;
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
        Path own = graphsDirectory(name).resolve(nameOf(name) + ".pretrain.ts");
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
        return Files.exists(g.resolve(nameOf(name) + ".ts")) && Files.exists(g.resolve(nameOf(name) + ".onnx"));
    }

    private Path generated(String name, String ext) {
        Path p = graphsDirectory(name).resolve(nameOf(name) + ext);
        if (!Files.exists(p)) {
            throw new SpecException(p + " is not generated yet: run /usr/bin/python3 model-specs/generator/generate.py --spec "
                    + name + " (needs PyTorch; the tiny specs' graphs are committed)");
        }
        return p;
    }

    public Path fixtures(String name) {
        return dir.resolve("fixtures").resolve(name);
    }
}
