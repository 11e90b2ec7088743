package dev.evmindexer.cli;

import java.io.Console;

/** Whether the process talks to a person at a terminal (progress lines redraw, prompts can be answered). */
final class Tty {
    private Tty() {}

    /**
     * True when standard input and output are a terminal. From JDK 22 on {@link System#console()} returns a
     * console even when the streams are redirected, so a non-null console alone no longer means a terminal:
     * {@code Console.isTerminal()} (JDK 22+, called reflectively since the code compiles for Java 21) decides.
     */
    @SuppressWarnings("SystemConsoleNull") // the null test is only the JDK 21 path; isTerminal decides on 22+
    static boolean interactive() {
        Console console = System.console();
        if (console == null) return false;
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 21: a console exists only for a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
