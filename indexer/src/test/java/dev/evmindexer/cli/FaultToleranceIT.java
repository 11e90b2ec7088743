package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.rpc.EndpointMetrics;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.FaultProxy.Fault;
import dev.evmindexer.testsupport.ProviderMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For each fault a provider can have, the real daemon indexes a devchain (ranges, then the tip while blocks are
 * mined and reorged) through two endpoints, one of them behind a {@link FaultProxy} injecting that fault, and must
 * end with the table equal to the canonical chain: every row, no extra.
 */
class FaultToleranceIT {
    static Stream<Arguments> faults() {
        return Stream.of(
                fault("HTTP 429", Fault.TOO_MANY_REQUESTS, p -> p.rate(Fault.TOO_MANY_REQUESTS, 0.3)),
                fault("timeouts", Fault.TIMEOUT, p -> p.rate(Fault.TIMEOUT, 0.15).hang(Duration.ofMillis(1500))),
                fault("bodies cut off", Fault.DROP_MID_BODY, p -> p.rate(Fault.DROP_MID_BODY, 0.3)),
                fault("invalid JSON", Fault.INVALID_JSON, p -> p.rate(Fault.INVALID_JSON, 0.3)),
                fault("headers from another fork", Fault.FORK_HEADER, p -> p.rate(Fault.FORK_HEADER, 0.3)),
                fault("logs with a wrong blockHash", Fault.WRONG_LOG_BLOCK_HASH, p -> p.rate(Fault.WRONG_LOG_BLOCK_HASH, 0.5)),
                fault("missing logs", Fault.MISSING_LOGS, p -> p.rate(Fault.MISSING_LOGS, 0.5)),
                fault("lagging 20 blocks", Fault.LAG, p -> p.lag(20)),
                fault("Alchemy's range limit", Fault.RANGE_LIMIT, p -> p.rangeLimit(7, ProviderMessage.ALCHEMY)),
                fault("Infura's range limit", Fault.RANGE_LIMIT, p -> p.rangeLimit(7, ProviderMessage.INFURA)),
                fault("QuickNode's range limit (HTTP 413)", Fault.RANGE_LIMIT, p -> p.rangeLimit(7, ProviderMessage.QUICKNODE)),
                fault("Ankr's range limit", Fault.RANGE_LIMIT, p -> p.rangeLimit(7, ProviderMessage.ANKR)),
                fault("BlastAPI's range limit (HTTP 400)", Fault.RANGE_LIMIT, p -> p.rangeLimit(7, ProviderMessage.BLASTAPI)),
                fault("geth's range limit", Fault.RANGE_LIMIT, p -> p.rangeLimit(7, ProviderMessage.GETH)));
    }

    private static Arguments fault(String name, Fault fault, Consumer<FaultProxy> setup) {
        return Arguments.of(name, fault, setup);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void theTableEndsEqualToTheCanonicalChain(String name, Fault fault, Consumer<FaultProxy> setup) throws Exception {
        Random random = new Random(name.hashCode());
        try (DevChainRun run = new DevChainRun(12, 300, name.hashCode());
                FaultProxy faulty = FaultProxy.start(run.server.url()).seed(name.hashCode())) {
            setup.accept(faulty);
            run.startDaemon(List.of(
                    // weight: while both are in equal health, the faulty endpoint gets nearly all the calls
                    Map.of("url", faulty.url(), "timeout", "1s", "max_block_range", "50", "weight", "50"),
                    Map.of("url", run.server.url().toString(), "max_block_range", "50")));
            run.awaitTipPhase(3, Duration.ofSeconds(60));
            // Range limits matter in the range phase, done by now; the other faults also meet the tip and reorgs.
            int reorgs = fault == Fault.RANGE_LIMIT ? 0 : run.grow(40, 8, random, Duration.ofMillis(80));
            run.awaitInSync(Duration.ofSeconds(60));
            assertNull(run.halted(), run.status());
            assertTrue(faulty.injected(fault) > 0, "the fault was injected: " + faulty);
            EndpointMetrics m = run.endpointMetrics().get(0);
            assertTrue(m.requests() > 0);
            System.out.printf("fault-test %-36s injected=%d reorgs made=%d seen=%d faulty endpoint: %s%n", name,
                    faulty.injected(fault), reorgs, run.reorgsSeen(), m);
            System.out.println("fault-test good endpoint: " + run.endpointMetrics().get(1));
            if (reorgs > 0) assertTrue(run.reorgsSeen() > 0, "reorgs happened at the tip: " + run.status());
            // the range shrank to the provider's limit (7); it may stand one growth step (a quarter, at least 1) above
            // it at the end, since the next refusal that cuts it again may not have come yet
            if (fault == Fault.RANGE_LIMIT) assertTrue(m.currentBlockRange() <= 7 + Math.max(1, 7 / 4), m.toString());
            assertTrue(!m.endpoint().contains("FAULTPROXYKEY"), "metrics name the endpoint redacted");
        }
    }
}
