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

    public ModelSpec load(String name) {
        Path f = dir.resolve(name + ".json");
        if (!Files.exists(f)) {
            throw new SpecException("no spec named '" + name + "' in " + dir + " (have: " + String.join(", ", names()) + ")");
        }
        return ModelSpec.load(f);
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
        Path own = dir.resolve("graphs").resolve(name + ".pretrain.ts");
        return Files.exists(own) ? own : graph(name);
    }

    public Path onnxTemplate(String name) {
        return generated(name, ".onnx");
    }

    public Path manifest(String name) {
        return generated(name, ".manifest.json");
    }

    public boolean isGenerated(String name) {
        return Files.exists(dir.resolve("graphs").resolve(name + ".ts"))
                && Files.exists(dir.resolve("graphs").resolve(name + ".onnx"));
    }

    private Path generated(String name, String ext) {
        Path p = dir.resolve("graphs").resolve(name + ext);
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
