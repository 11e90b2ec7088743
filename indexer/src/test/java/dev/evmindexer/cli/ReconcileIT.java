package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.ops.IndexerMetrics;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.FaultProxy.Fault;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
            // most range calls go to the faulty endpoint, so the backfill commits short answers for reconciliation to
            // find (until reconciliation blames it and takes it out of rotation for a while)
            run.startDaemon(List.of(Map.of("url", faulty.url(), "max_block_range", "20", "weight", "20"),
                    Map.of("url", faithful.url(), "max_block_range", "20")),
                    Map.of("reconcile", "all", "reconcile_rps", "200"), metrics);
            run.awaitTipPhase(0, Duration.ofSeconds(60));
            run.awaitReconciled(Duration.ofSeconds(90));
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
            // the stored rows were wrong where the backfill committed a short answer: those blocks are blamed on the
            // endpoint whose answer wrote them, recorded with each range commit
            Map<String, Double> repaired = ReconciledViewIT.byEndpoint(metrics, "indexer.reconcile.repaired.blocks");
            System.out.println("reconcile-test repaired blocks " + repaired);
            assertTrue(repaired.entrySet().stream().filter(e -> e.getKey().contains(faultyPort))
                    .mapToDouble(Map.Entry::getValue).sum() > 0, "the backfill committed a short answer, found, repaired "
                    + "and blamed on the endpoint that served it: " + repaired);
            assertEquals(Set.of(), repaired.keySet().stream().filter(e -> !e.contains(faultyPort)).collect(Collectors.toSet()),
                    "no repaired block blamed on another endpoint or left unattributed: " + repaired);
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
            run.awaitReconciled(Duration.ofSeconds(90));
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

    /**
     * Reconciliation beside a running backfill stays within {@code reconcile_rps}: every {@code eth_getLogs} is
     * counted at a proxy in front of the only endpoint, and a call for blocks already asked for is a re-fetch (with
     * no fault, the range phase asks each block once: nothing else asks ranges again). Those that arrived before the
     * backfill's last call must be no more than the rate allows over the time they span.
     */
    @Test
    void reconciliationKeepsItsRateWhileTheBackfillRuns() throws Exception {
        double rps = 5;
        try (DevChainRun run = new DevChainRun(4, 6000, 20, 18);
                FaultProxy counting = FaultProxy.start(run.server.url())) {
            run.startDaemon(List.of(Map.of("url", counting.url(), "max_block_range", "20")),
                    Map.of("reconcile", "all", "reconcile_rps", Double.toString(rps)));
            run.awaitTipPhase(0, Duration.ofMinutes(2));
            List<long[]> calls = counting.getLogsRanges();
            boolean[] asked = new boolean[(int) run.chain.head() + 1];
            List<Long> refetches = new java.util.ArrayList<>();
            long backfillEnd = Long.MIN_VALUE;
            for (long[] c : calls) {
                boolean again = false;
                for (long n = c[0]; n <= c[1]; n++) {
                    again |= asked[(int) n];
                    asked[(int) n] = true;
                }
                if (again) refetches.add(c[2]);
                else backfillEnd = c[2];
            }
            long end = backfillEnd;
            List<Long> during = refetches.stream().filter(t -> t < end).toList();
            double spanSeconds = during.size() < 2 ? 0 : (during.get(during.size() - 1) - during.get(0)) / 1e9;
            System.out.printf("reconcile-rate calls=%d refetches=%d during_backfill=%d over=%.2fs rps=%s%n", calls.size(),
                    refetches.size(), during.size(), spanSeconds, rps);
            assertTrue(during.size() >= 3, "reconciliation ran while the backfill did: " + during.size() + " re-fetches");
            assertTrue(during.size() - 1 <= rps * spanSeconds + 1, during.size() + " re-fetches in " + spanSeconds
                    + " s is more than " + rps + " per second");
        }
    }
}
