package dev.evmindexer.cli;

import dev.evmindexer.store.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --reconcile}: after the backfill, the daemon ({@code run}, with {@code reconcile: all}) in its own JVM
 * with the same heap, timed from its launch until the table's "reconciled" multirange holds every block from its
 * start block to the finalized one (ARCHITECTURE.md, invariant 9). The time includes the JVM's start. The devchain is
 * faithful, so any {@code reconcile.mismatch} in its log is a bug and the run is reported WRONG.
 */
final class BenchReconcile {
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    record Result(int exit, double seconds, long peakRssKb, long mismatches, Path log) {}

    private BenchReconcile() {}

    static Result run(Path cfg, String jdbc, EmbeddedPostgresServer pg, Path log, String xmx) throws Exception {
        long t0 = System.nanoTime();
        Process p = BenchCommand.start(log, xmx, java.util.List.of(), "run", "--config", cfg.toString());
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        long peak = 0;
        int exit = 0;
        try {
            while (!done(jdbc, pg)) {
                peak = Math.max(peak, BenchCommand.vmHwmKb(status));
                if (!p.isAlive()) {
                    exit = p.exitValue() == 0 ? -2 : p.exitValue();
                    break;
                }
                if (System.nanoTime() - t0 > TIMEOUT.toNanos()) {
                    exit = -1;
                    break;
                }
                Thread.sleep(50);
            }
        } finally {
            double seconds = (System.nanoTime() - t0) / 1e9;
            p.destroy(); // SIGTERM: a clean stop
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            long mismatches = Files.readAllLines(log).stream().filter(l -> l.contains("reconcile.mismatch")).count();
            return new Result(exit, seconds, peak, mismatches, log);
        }
    }

    /** Prints the figures; the last line {@code bench: ... reconcile_seconds=.. ratio=..}. 0 when right, else 1. */
    static int report(PrintWriter out, Result r, double backfillSeconds, long backfillPeakRssKb, long events, double rps) {
        out.printf("bench: reconciliation (daemon, reconcile: all, reconcile_rps: %s) exit %d, %.1fs, %d mismatches "
                + "(log: %s)%n", rps, r.exit(), r.seconds(), r.mismatches(), r.log());
        out.printf("bench: events=%d backfill_seconds=%.2f reconcile_seconds=%.2f ratio=%.2f backfill_peak_rss_mb=%d "
                + "reconcile_peak_rss_mb=%d%n", events, backfillSeconds, r.seconds(), r.seconds() / backfillSeconds,
                backfillPeakRssKb / 1024, r.peakRssKb() / 1024);
        if (r.exit() != 0 || r.mismatches() > 0) {
            out.printf("bench: WRONG: %s%n", r.exit() == -1 ? "not reconciled within " + TIMEOUT
                    : r.exit() != 0 ? "the daemon stopped before reconciling (exit " + r.exit() + ")"
                    : r.mismatches() + " mismatches on a faithful chain");
            return 1;
        }
        return 0;
    }

    /** Whether every table's reconciled multirange holds all its blocks from its start block to F. */
    private static boolean done(String jdbc, EmbeddedPostgresServer pg) {
        try (Connection c = DriverManager.getConnection(jdbc, pg.user(), pg.password()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT bool_and(c.finalized >= e.start_block AND e.reconciled @> "
                        + "int8range(e.start_block, c.finalized, '[]')) FROM indexer.event_tables e JOIN indexer.chains c "
                        + "USING (chain_id)")) {
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException notYet) {
            return false;
        }
    }
}
