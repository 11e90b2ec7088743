package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.ops.IndexerMetrics;
import dev.evmindexer.pipeline.Reconciler;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.FaultProxy.Fault;
import io.micrometer.core.instrument.Counter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@code finalized_view: reconciled} (ARCHITECTURE.md, invariant 9) with the recommended setting ({@code reconcile: all},
 * two endpoints): one endpoint, weighted to take most range calls, leaves a log out of a share of its answers, ranges
 * and tip blocks alike. While the
 * daemon indexes and reconciles, the view is read again and again, each time in one snapshot with the block it shows
 * up to; every read must equal the devchain's canonical transfers up to that block: no missing row is ever visible. A
 * second table of the same event keeps the default view, whose reads that miss rows are counted (not asserted: how
 * many a run sees depends on timing) to show what the setting prevents. The size is set with {@code -Dreconcile.blocks},
 * {@code -Dreconcile.logs} (logs per block, 9 in 10 of them transfers) and {@code -Dreconcile.drop} (the faulty share).
 */
class ReconciledViewIT {
    private static final String TRANSFER = "event Transfer(address indexed from, address indexed to, uint256 value)";

    @Test
    void withReconcileAllTheReconciledViewNeverShowsAMissingRow() throws Exception {
        int blocks = Integer.getInteger("reconcile.blocks", 300);
        int logs = Integer.getInteger("reconcile.logs", 22);
        double drop = Double.parseDouble(System.getProperty("reconcile.drop", "0.2"));
        long started = System.nanoTime();
        try (DevChainRun run = new DevChainRun(4, blocks, logs, 16);
                FaultProxy faulty = FaultProxy.start(run.server.url()).seed(16);
                FaultProxy faithful = FaultProxy.start(run.server.url());
                IndexerMetrics metrics = new IndexerMetrics()) {
            faulty.rate(Fault.DROPPED_LOG, drop).rate(Fault.DROPPED_TIP_LOG, drop);
            // most range calls go to the faulty endpoint (until reconciliation blames it), so the backfill commits
            // short answers: with equal weights it sometimes took none of them and there was nothing to hide
            run.startDaemon(List.of(Map.of("url", faulty.url(), "max_block_range", "20", "weight", "20"),
                    Map.of("url", faithful.url(), "max_block_range", "20")),
                    Map.of("reconcile", "all", "reconcile_rps", "1000"), metrics,
                    "        finalized_view: reconciled\n      - signature: \"" + TRANSFER + "\"\n        table: plain\n");
            Sampler sampler = new Sampler(run);
            Thread t = Thread.ofVirtual().start(sampler);
            try {
                run.awaitTipPhase(0, Duration.ofMinutes(5));
                Random random = new Random(16);
                for (int i = 0; i < 30; i++) { // tip blocks, written by the tip phase, then final
                    run.chain.mineRandom(random, logs - logs / 10);
                    Thread.sleep(30);
                }
                faulty.clear(); // blocks still above F must end right without reconciliation: push F past them
                for (int i = 0; i <= run.chain.finalityDepth(); i++) run.chain.mineRandom(random, 3);
                run.awaitReconciled(Duration.ofMinutes(5));
                run.awaitInSync(Duration.ofSeconds(60));
                sampler.sample(); // one more, once all is reconciled
            } finally {
                sampler.stop.set(true);
                t.join();
            }
            assertNull(run.halted(), run.status());
            Map<String, Double> byEndpoint = mismatches(metrics);
            System.out.printf("reconciled-view blocks=%d logs_per_block=%d drop=%.2f faulty_getlogs=%d faithful_getlogs=%d injected=%s samples=%d "
                    + "reconciled_view_reads_missing_rows=%d default_view_reads_missing_rows=%d mismatches=%s seconds=%.1f%n",
                    run.chain.head(), logs, drop, faulty.getLogsRanges().size(), faithful.getLogsRanges().size(), faulty.injected(), sampler.samples.get(), sampler.violations.size(),
                    sampler.plainMissing.get(), byEndpoint, (System.nanoTime() - started) / 1e9);
            assertEquals(List.of(), sampler.violations, "no read of the reconciled view missed a row");
            assertTrue(faulty.injected(Fault.DROPPED_LOG) > 0, "the fault was injected: " + faulty);
            assertTrue(sampler.samples.get() > 10, "the view was read while indexing: " + sampler.samples);
            assertEquals(Long.parseLong(run.reconciled()[1]), sampler.lastThrough, "the last read showed every finalized block");
            Map<String, Double> repaired = byEndpoint(metrics, "indexer.reconcile.repaired.blocks");
            assertTrue(repaired.values().stream().mapToDouble(Double::doubleValue).sum() > 0,
                    "short answers were committed, found and repaired: " + repaired);
        }
    }

    @Test
    void tipBlocksAreReconciledOnceFinal() throws Exception {
        try (DevChainRun run = new DevChainRun(4, 40, 8, 17);
                FaultProxy faulty = FaultProxy.start(run.server.url()).seed(17);
                IndexerMetrics metrics = new IndexerMetrics()) {
            run.startDaemon(List.of(Map.of("url", faulty.url())), Map.of("reconcile", "all", "reconcile_rps", "1000"),
                    metrics);
            run.awaitTipPhase(0, Duration.ofSeconds(60));
            run.awaitReconciled(Duration.ofSeconds(60));
            assertEquals(0, mismatches(metrics).size(), "the range phase's answers were whole");
            faulty.rate(Fault.DROPPED_TIP_LOG, 0.5); // only answers by block hash: only the tip phase's
            Random random = new Random(17);
            for (int i = 0; i < 30; i++) {
                run.chain.mineRandom(random, 6);
                run.awaitTipPhase(0, Duration.ofSeconds(30)); // each block is written by the tip phase
            }
            faulty.clear();
            for (int i = 0; i <= run.chain.finalityDepth(); i++) run.chain.mineRandom(random, 3);
            run.awaitReconciled(Duration.ofSeconds(60));
            run.awaitInSync(Duration.ofSeconds(30));
            Map<String, Double> byEndpoint = mismatches(metrics);
            System.out.printf("reconcile-tip injected=%d mismatches=%s%n", faulty.injected(Fault.DROPPED_TIP_LOG), byEndpoint);
            assertTrue(faulty.injected(Fault.DROPPED_TIP_LOG) > 0, "the fault was injected: " + faulty);
            assertTrue(byEndpoint.getOrDefault(Reconciler.UNRECORDED, 0.0) > 0,
                    "the tip phase's short answers were found once final and repaired: " + byEndpoint);
        }
    }

    static Map<String, Double> mismatches(IndexerMetrics metrics) {
        return byEndpoint(metrics, "indexer.reconcile.mismatches");
    }

    /** A reconciliation counter's total per {@code endpoint} tag. */
    static Map<String, Double> byEndpoint(IndexerMetrics metrics, String counter) {
        Map<String, Double> byEndpoint = new HashMap<>();
        for (Counter c : metrics.registry().find(counter).counters()) {
            byEndpoint.merge(c.getId().getTag("endpoint"), c.count(), Double::sum);
        }
        return byEndpoint;
    }

    /**
     * Reads both views, each with the block it shows up to, in one REPEATABLE READ snapshot, again and again, and
     * compares them with the devchain's canonical transfers up to that block (F never moves back and finalized blocks
     * never change, so the devchain read later is the oracle).
     */
    private static final class Sampler implements Runnable {
        final DevChainRun run;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong samples = new AtomicLong();
        final AtomicLong plainMissing = new AtomicLong();
        final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile long lastThrough = -1;

        Sampler(DevChainRun run) {
            this.run = run;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                try {
                    sample();
                } catch (SQLException | RuntimeException notYet) {
                    // the tables and views may not exist yet
                }
            }
        }

        void sample() throws SQLException {
            try (Connection c = run.connect()) {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                long through = through(c, "transfers", true);
                List<String> shown = DevChainRun.rows(c, "transfers_finalized");
                long plainThrough = through(c, "plain", false);
                List<String> plain = DevChainRun.rows(c, "plain_finalized");
                c.commit();
                List<String> expected = run.expectedRows(through);
                if (!shown.equals(expected)) {
                    List<String> missing = new ArrayList<>(expected);
                    missing.removeAll(shown);
                    violations.add("through #" + through + ": " + missing.size() + " missing, first "
                            + missing.stream().limit(3).toList() + "; " + shown.size() + " shown");
                }
                if (!plain.equals(run.expectedRows(plainThrough))) plainMissing.incrementAndGet();
                lastThrough = through;
                samples.incrementAndGet();
            }
        }

        /** The last block the table's view shows: F and the covered prefix, and with {@code reconciled} that prefix. */
        private static long through(Connection c, String table, boolean reconciled) throws SQLException {
            String sql = "SELECT indexer.finalized_through(table_schema, table_name, chain_id)"
                    + (reconciled ? ", coalesce((SELECT upper(g) - 1 FROM unnest(reconciled) g WHERE g @> start_block), "
                            + "start_block - 1)" : ", 9223372036854775807")
                    + " FROM indexer.event_tables WHERE table_name = '" + table + "' AND chain_id = " + DevChainRun.CHAIN_ID;
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                if (!rs.next()) throw new IllegalStateException(table + " not registered yet");
                return Math.min(rs.getLong(1), rs.getLong(2));
            }
        }
    }
}
