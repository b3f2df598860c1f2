package org.aligndet.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
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
}
