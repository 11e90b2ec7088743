package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.ops.IndexerMetrics;
import dev.evmindexer.pipeline.Reconciler;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.FaultProxy.Fault;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Background reconciliation (ARCHITECTURE.md, invariant 9) with the real daemon on a devchain: one endpoint silently
 * leaves one log out of half its {@code eth_getLogs} answers (no bloom check can see it), the other is faithful. The
 * backfill commits some of the faulty answers; reconciliation must find and repair every missing row and count the
 * mismatches against the faulty endpoint, never the faithful one.
 */
class ReconcileIT {
    @Test
    void aDroppingEndpointBesideAFaithfulOneIsOutvotedAndTheFinalizedTableEndsEqualToTheChain() throws Exception {
        try (DevChainRun run = new DevChainRun(4, 400, 14);
                FaultProxy faulty = FaultProxy.start(run.server.url()).seed(14);
                FaultProxy faithful = FaultProxy.start(run.server.url());
                IndexerMetrics metrics = new IndexerMetrics()) {
            faulty.rate(Fault.DROPPED_LOG, 0.5);
            run.startDaemon(List.of(Map.of("url", faulty.url(), "max_block_range", "20"),
                    Map.of("url", faithful.url(), "max_block_range", "20")),
                    Map.of("reconcile", "all", "reconcile_rps", "200"), metrics);
            run.awaitTipPhase(0, Duration.ofSeconds(60));
            awaitReconciled(run, Duration.ofSeconds(90));
            run.awaitInSync(Duration.ofSeconds(30));
            assertNull(run.halted(), run.status());
            assertTrue(faulty.injected(Fault.DROPPED_LOG) > 0, "the fault was injected: " + faulty);

            Map<String, Double> byEndpoint = new HashMap<>();
            for (Counter c : metrics.registry().find("indexer.reconcile.mismatches").counters()) {
                byEndpoint.merge(c.getId().getTag("endpoint"), c.count(), Double::sum);
            }
            String faultyPort = ":" + faulty.url().split(":", -1)[2].split("/", -1)[0];
            String faithfulPort = ":" + faithful.url().split(":", -1)[2].split("/", -1)[0];
            double againstFaulty = byEndpoint.entrySet().stream().filter(e -> e.getKey().contains(faultyPort))
                    .mapToDouble(Map.Entry::getValue).sum();
            double againstFaithful = byEndpoint.entrySet().stream().filter(e -> e.getKey().contains(faithfulPort))
                    .mapToDouble(Map.Entry::getValue).sum();
            System.out.printf("reconcile-test injected=%d mismatches=%s%n", faulty.injected(Fault.DROPPED_LOG), byEndpoint);
            assertTrue(againstFaulty > 0, "mismatches are counted against the faulty endpoint: " + byEndpoint);
            assertEquals(0, againstFaithful, "none against the faithful endpoint: " + byEndpoint);
            assertTrue(byEndpoint.getOrDefault(Reconciler.UNRECORDED, 0.0) > 0,
                    "the backfill committed a short answer, found and repaired: " + byEndpoint);
        }
    }

    @Test
    void aSingleEndpointThatDropsOnSomeAnswersIsAskedTwiceAndTheTableEndsEqualToTheChain() throws Exception {
        try (DevChainRun run = new DevChainRun(4, 300, 15);
                FaultProxy faulty = FaultProxy.start(run.server.url()).seed(15);
                IndexerMetrics metrics = new IndexerMetrics()) {
            faulty.rate(Fault.DROPPED_LOG, 0.3);
            run.startDaemon(List.of(Map.of("url", faulty.url(), "max_block_range", "20")),
                    Map.of("reconcile", "all", "reconcile_rps", "200"), metrics);
            run.awaitTipPhase(0, Duration.ofSeconds(60));
            awaitReconciled(run, Duration.ofSeconds(90));
            run.awaitInSync(Duration.ofSeconds(30));
            assertTrue(faulty.injected(Fault.DROPPED_LOG) > 0, "the fault was injected: " + faulty);
            Map<String, Double> byEndpoint = new HashMap<>();
            for (Counter c : metrics.registry().find("indexer.reconcile.mismatches").counters()) {
                byEndpoint.merge(c.getId().getTag("endpoint"), c.count(), Double::sum);
            }
            System.out.printf("reconcile-test single endpoint injected=%d mismatches=%s%n",
                    faulty.injected(Fault.DROPPED_LOG), byEndpoint);
            assertTrue(byEndpoint.values().stream().mapToDouble(Double::doubleValue).sum() > 0,
                    "differences were found: " + byEndpoint);
        }
    }

    /** Waits (bounded) until the table's reconciled multirange, as {@code status} reads it, is all of [0, F]. */
    private static void awaitReconciled(DevChainRun run, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String[] r = {"{}", "-1"};
        while (System.nanoTime() < deadline) {
            try {
                r = run.reconciled();
                long f = Long.parseLong(r[1]);
                if (f > 0 && r[0].equals("{[0," + (f + 1) + ")}")) return;
            } catch (RuntimeException notYet) {
                // not migrated yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not reconciled up to the finalized block within " + timeout + ": reconciled "
                + r[0] + ", finalized " + r[1] + ", " + run.status());
    }
}
