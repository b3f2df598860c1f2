package org.aligndet.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code aligndet} command line. Every error prints one line starting {@code aligndet: error: }
 * and exits 1; a usage error (a bad option or value, an output that is also an input) prints one
 * such line and where the help is, and exits 2. The stack trace only with {@code --verbose}.
 * Commands let exceptions reach these handlers rather than printing errors themselves.
 */
@Command(name = "aligndet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "AlignDet on the JVM: box-domain pre-training, fine-tuning, export and evaluation of detectors.",
        footer = {"%nExample:%n  aligndet demo --quick%n  aligndet help pretrain",
            "%nExit codes: 0 done, 1 error (one line on stderr; --verbose adds the stack trace), 2 usage; check: 3 a tolerance failed."},
        subcommands = {InfoCommand.class, InspectCommand.class, SynthCommand.class, ProposalsCommand.class,
                BackboneCommand.class, ImportCommand.class, PretrainCommand.class, FinetuneCommand.class, EvalCommand.class,
                ExportCommand.class, PredictCommand.class, CheckCommand.class, BenchCommand.class, ReproduceCommand.class,
                DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "print stack traces on errors (default: off)")
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
        cl.setParameterExceptionHandler(Main::usageError);
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

    /** One line naming what is wrong, then where the command's help is; exit code 2. */
    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("aligndet: error: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("(see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static boolean hasVerbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.matchedOption("--verbose") != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The one line an error prints. A file system error of the JDK (whose message is often the bare
     * path, e.g. for {@link FileAlreadyExistsException}), directly or as the cause of an
     * {@link UncheckedIOException}, becomes "path: what happened".
     */
    static String message(Throwable ex) {
        Throwable io = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
        if (io instanceof FileSystemException fs && fs.getFile() != null) {
            String what = fs instanceof FileAlreadyExistsException ? "already exists"
                    : fs instanceof NoSuchFileException ? "no such file or directory"
                    : fs instanceof NotDirectoryException ? "not a directory"
                    : fs instanceof AccessDeniedException ? "permission denied"
                    : fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName();
            return fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ": " + what;
        }
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
