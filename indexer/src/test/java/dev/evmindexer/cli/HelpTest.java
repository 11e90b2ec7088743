package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --help} on every command and {@code help COMMAND} exit 0 with the usage; every option says what it does. */
class HelpTest {
    private static final CommandLine ROOT = new CommandLine(new Main());

    @Test
    void everyCommandAnswersHelpWithItsUsage() {
        assertFalse(ROOT.getSubcommands().isEmpty());
        for (String name : ROOT.getSubcommands().keySet()) {
            if (name.equals("help")) continue;
            assertEquals(0, Main.execute(name, "--help"), name + " --help");
            assertEquals(0, Main.execute("help", name), "help " + name);
            StringWriter usage = new StringWriter();
            ROOT.getSubcommands().get(name).usage(new PrintWriter(usage));
            assertTrue(usage.toString().contains("Usage: indexer " + name), usage.toString());
        }
        assertEquals(0, Main.execute("--help"));
        assertEquals(0, Main.execute("help"));
    }

    @Test
    void everyOptionOfEveryCommandHasADescription() {
        for (var e : ROOT.getSubcommands().entrySet()) {
            for (CommandLine.Model.OptionSpec o : e.getValue().getCommandSpec().options()) {
                String text = String.join(" ", o.description()).strip();
                assertFalse(text.isEmpty(), e.getKey() + " " + o.longestName() + " has no description");
            }
        }
    }
}
