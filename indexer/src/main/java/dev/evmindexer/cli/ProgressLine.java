package dev.evmindexer.cli;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Backfill progress: in a terminal a bar redrawn in place (blocks done/total, events/s, ETA); without
 * one, a plain line every few seconds so logs stay readable.
 */
final class ProgressLine {
    private static final long TTY_EVERY_NANOS = 200_000_000L;
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;
    private static final int BAR = 30;

    private final PrintWriter out;
    private final boolean tty;
    private final long started;
    private long lastPrint;
    private boolean drew;

    ProgressLine(PrintWriter out, boolean tty, long startedNanos) {
        this.out = out;
        this.tty = tty;
        this.started = startedNanos;
        this.lastPrint = startedNanos;
    }

    void report(long blocks, long rows, long total) {
        long now = System.nanoTime();
        if (now - lastPrint < (tty ? TTY_EVERY_NANOS : LOG_EVERY_NANOS)) return;
        lastPrint = now;
        out.print(tty ? "\r" + render(blocks, rows, total, now - started) : render(blocks, rows, total, now - started) + "\n");
        out.flush();
        drew = tty;
    }

    /** Says what the backfill waits for before it tries again, on a line of its own. */
    void waiting(String why, Duration retryIn) {
        if (drew) out.println();
        drew = false;
        out.printf("backfill: waiting %.1fs, then re-planning from what is committed: %s%n", retryIn.toMillis() / 1e3, why);
        out.flush();
    }

    void finish() {
        if (drew) out.println();
    }

    static String render(long blocks, long rows, long total, long elapsedNanos) {
        double secs = Math.max(elapsedNanos / 1e9, 1e-3);
        double fraction = total <= 0 ? 1 : Math.min(1, (double) blocks / total);
        int filled = (int) Math.round(fraction * BAR);
        String eta = blocks <= 0 || total <= 0 ? "?" : format(Duration.ofSeconds((long) (secs * Math.max(0, total - blocks) / blocks)));
        return String.format("backfill [%s%s] %3.0f%% %,d/%,d blocks, %,d events, %,.0f events/s, ETA %s",
                "#".repeat(filled), ".".repeat(BAR - filled), fraction * 100, blocks, total, rows, rows / secs, eta);
    }

    private static String format(Duration d) {
        return d.toHours() > 0 ? String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
                : String.format("%d:%02d", d.toMinutesPart(), d.toSecondsPart());
    }
}
