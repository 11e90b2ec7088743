package dev.evmindexer.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT ask the daemon to stop between transactions; the command then returns normally,
 * so the process exits 0 after a clean drain (a JVM shutdown hook could not choose the exit code).
 */
final class Signals {
    private Signals() {}

    static void onStop(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> stop.run());
            } catch (IllegalArgumentException ignoredAtStart) {
                // the signal was ignored when the JVM started (e.g. INT for a background job): nothing to catch
            }
        }
    }
}
