package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** One command-line run in the test JVM: its exit code and what it printed to stdout and stderr. */
record CliRun(int code, String out, String err) {
    /** {@code aligndet ARGS} through {@link Main#commandLine()}. */
    static CliRun main(String... args) {
        return with(Main.commandLine(), args);
    }

    /** {@code args} through the given command line (e.g. one sub-command alone). */
    static CliRun with(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /**
     * {@code aligndet synth} of 8 scenes at 128 px, half of them validation, into {@code dir/data}; returns its
     * {@code VOCdevkit/VOC2007} folder.
     */
    static Path smallVoc(Path dir, int seed) {
        Path data = dir.resolve("data");
        CliRun s = main("synth", "--out", data.toString(), "--images", "8", "--seed", Integer.toString(seed), "--val-fraction", "0.5",
                "--size", "128", "--threads", "1", "--no-progress");
        assertEquals(0, s.code(), s.err());
        return data.resolve("VOCdevkit/VOC2007");
    }
}
