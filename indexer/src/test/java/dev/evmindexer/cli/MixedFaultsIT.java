package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.rpc.EndpointMetrics;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.FaultProxy.Fault;
import dev.evmindexer.testsupport.ProviderMessage;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every fault at once, at random rates, over a few thousand devchain blocks with reorgs: the daemon indexes through
 * three endpoints (each with every random fault at its own rates, one lagging part of the time, one refusing wide
 * ranges in Alchemy's words),
 * lives through twelve seconds in which every endpoint refuses every request (it waits, never exits), and must end with the table equal to
 * the canonical chain. Prints what ran.
 */
class MixedFaultsIT {
    private static final long SEED = 20240613;
    private static final int PREGENERATED = 2_500;
    private static final int MINED = 300;
    private static final Duration OUTAGE = Duration.ofSeconds(12);

    @Test
    void everyFaultMixedOverThousandsOfBlocksWithReorgs() throws Exception {
        Random random = new Random(SEED);
        try (DevChainRun run = new DevChainRun(12, PREGENERATED, SEED);
                FaultProxy a = FaultProxy.start(run.server.url()).seed(SEED);
                FaultProxy b = FaultProxy.start(run.server.url()).seed(SEED + 1);
                FaultProxy c = FaultProxy.start(run.server.url()).seed(SEED + 2)) {
            for (FaultProxy p : List.of(a, b, c)) {
                for (Fault f : List.of(Fault.TOO_MANY_REQUESTS, Fault.DROP_MID_BODY, Fault.INVALID_JSON, Fault.FORK_HEADER,
                        Fault.WRONG_LOG_BLOCK_HASH, Fault.MISSING_LOGS)) {
                    p.rate(f, 0.005 + 0.02 * random.nextDouble()); // 3% to 15% of requests fail in all
                }
                p.rate(Fault.TIMEOUT, 0.005).hang(Duration.ofMillis(1500));
                // missing logs can only be drawn for a block's own logs (tip) or a range's last block: a higher rate,
                // so that every run meets it (at the rates above, one run in a few drew it not at all)
                p.rate(Fault.MISSING_LOGS, 0.05 + 0.05 * random.nextDouble());
            }
            a.rangeLimit(10, ProviderMessage.ALCHEMY); // ranges start at 8 blocks and double: every ramp-up meets it
            b.lag(15);
            run.startDaemon(List.of(
                    Map.of("url", a.url(), "timeout", "1s", "max_block_range", "100"),
                    Map.of("url", b.url(), "timeout", "1s", "max_block_range", "100"),
                    Map.of("url", c.url(), "timeout", "1s", "max_block_range", "100")));
            run.awaitTipPhase(5, Duration.ofMinutes(2));

            int reorgs = run.grow(MINED / 2, 15, random, Duration.ofMillis(60));
            b.lag(0);
            for (FaultProxy p : List.of(a, b, c)) p.rate(Fault.TOO_MANY_REQUESTS, 1); // every endpoint down
            long errorsBefore = run.stepErrors();
            reorgs += run.grow(20, 0, random, OUTAGE.dividedBy(20));
            assertTrue(run.stepErrors() > errorsBefore, "the outage was felt: " + run.status());
            for (FaultProxy p : List.of(a, b, c)) p.rate(Fault.TOO_MANY_REQUESTS, 0.01);
            reorgs += run.grow(MINED / 2 - 20, 15, random, Duration.ofMillis(60));

            run.awaitInSync(Duration.ofMinutes(2));
            assertNull(run.halted(), run.status());

            Map<Fault, Long> injected = new EnumMap<>(Fault.class);
            for (FaultProxy p : List.of(a, b, c)) p.injected().forEach((f, n) -> injected.merge(f, n, Long::sum));
            System.out.printf("mixed-faults blocks=%d (pregenerated %d, mined %d) reorgs made=%d seen=%d rows=%d%n",
                    run.chain.head(), PREGENERATED, MINED, reorgs, run.reorgsSeen(), run.expectedRows().size());
            System.out.println("mixed-faults injected " + injected);
            for (EndpointMetrics m : run.endpointMetrics()) {
                System.out.println("mixed-faults endpoint " + m + " errors by kind "
                        + EndpointMetrics.errorKinds().stream().filter(k -> m.errors(k) > 0).map(k -> k + "=" + m.errors(k)).toList());
            }
            // every fault this test draws was met; the others need what is off here: receipts proofs (ReceiptsProofIT),
            // reconciliation (ReconcileIT, ReconciledViewIT) or transaction fields (TxFetchTest)
            for (Fault f : List.of(Fault.TOO_MANY_REQUESTS, Fault.TIMEOUT, Fault.DROP_MID_BODY, Fault.INVALID_JSON,
                    Fault.FORK_HEADER, Fault.WRONG_LOG_BLOCK_HASH, Fault.MISSING_LOGS, Fault.LAG, Fault.RANGE_LIMIT)) {
                assertTrue(injected.get(f) > 0, f + " was injected: " + injected);
            }
            assertTrue(run.reorgsSeen() > 0, run.status());
        }
    }
}
