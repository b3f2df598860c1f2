package org.aligndet.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code aligndet} command line. Errors print one line ({@code aligndet: error: ...}); the stack
 * trace only with {@code --verbose}.
 */
@Command(name = "aligndet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "AlignDet on the JVM: box-domain pre-training, fine-tuning, export and evaluation of detectors.",
        subcommands = {InfoCommand.class, InspectCommand.class, SynthCommand.class, ProposalsCommand.class,
                BackboneCommand.class, PretrainCommand.class, FinetuneCommand.class, EvalCommand.class, ExportCommand.class,
                PredictCommand.class, CheckCommand.class, ReproduceCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "print stack traces on errors")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 1 error, 2 usage). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            boolean verbose = parsed.matchedOption("--verbose") != null || hasVerbose(parsed);
            err.println("aligndet: error: " + message(ex));
            if (verbose) {
                ex.printStackTrace(err);
            } else {
                err.println("(run with --verbose for the stack trace)");
            }
            err.flush();
            return 1;
        });
        return cl;
    }

    private static boolean hasVerbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.matchedOption("--verbose") != null) {
                return true;
            }
        }
        return false;
    }

    static String message(Throwable ex) {
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            m = ex.getClass().getSimpleName();
        }
        return m;
    }

    /** Version from the jar manifest, or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"aligndet " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
