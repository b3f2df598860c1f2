package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command's help, walked through picocli's model: each option and parameter says what it is
 * and its default (or that it is required, where picocli cannot enforce it), each command ends with
 * an example and its exit codes, and {@code --help} works.
 */
class HelpTest {
    private static List<CommandLine> commands() {
        List<CommandLine> out = new ArrayList<>();
        CommandLine root = Main.commandLine();
        out.add(root);
        root.getSubcommands().forEach((name, cl) -> {
            if (!name.equals("help")) {
                out.add(cl);
            }
        });
        return out;
    }

    @Test
    void everyOptionSaysWhatItIsAndItsDefault() {
        List<String> problems = new ArrayList<>();
        for (CommandLine cl : commands()) {
            CommandSpec spec = cl.getCommandSpec();
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec a : args) {
                String name = spec.qualifiedName() + " " + (a instanceof OptionSpec o ? o.longestName() : a.paramLabel());
                String text = String.join(" ", a.description()).strip();
                boolean helpOption = a instanceof OptionSpec o && (o.usageHelp() || o.versionHelp());
                if (text.isEmpty()) {
                    problems.add(name + ": no description");
                } else if (!helpOption && !a.required() && a instanceof OptionSpec && !text.toLowerCase(Locale.ROOT).matches("(?s).*(default|required).*")) {
                    problems.add(name + ": the description does not state the default: " + text);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyCommandEndsWithAnExampleAndItsExitCodes() {
        List<String> problems = new ArrayList<>();
        for (CommandLine cl : commands()) {
            String footer = String.join("\n", cl.getCommandSpec().usageMessage().footer());
            if (!footer.contains("Example") || !footer.contains("Exit codes")) {
                problems.add(cl.getCommandSpec().qualifiedName() + ": the help's footer lacks an example or the exit codes: '" + footer + "'");
            }
            String help = cl.getUsageMessage().strip();
            String lastParagraph = help.substring(help.lastIndexOf("\n\n") + 1);
            if (!lastParagraph.contains("Exit codes")) {
                problems.add(cl.getCommandSpec().qualifiedName() + ": the help does not end with the exit codes: " + lastParagraph);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void helpWorksForEveryCommand() {
        for (CommandLine cl : commands()) {
            if (cl.getCommandSpec().parent() == null) {
                continue;
            }
            String name = cl.getCommandName();
            CliRun r = CliRun.main(name, "--help");
            assertEquals(0, r.code(), name + " --help: " + r.err());
            assertTrue(r.out().contains("Usage: aligndet " + name) && r.out().contains("Exit codes"), name + " --help:\n" + r.out());
        }
    }
}
