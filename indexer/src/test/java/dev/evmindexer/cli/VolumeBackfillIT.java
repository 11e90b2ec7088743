package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.daemon.RetryingBackfill;
import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.devchain.ProviderLimits;
import dev.evmindexer.pipeline.Backfill;
import dev.evmindexer.pipeline.LogRouter;
import dev.evmindexer.rpc.EndpointMetrics;
import dev.evmindexer.rpc.RpcChainSource;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The range phase against a devchain that behaves like a hosted provider (ARCHITECTURE.md, range phase): answers slower the more
 * logs they hold, a hang past the client's timeout for big answers, Alchemy's refusals, a 10,000-log block among
 * 100-log blocks; and a backfill that must outlive a rollback, a database restart and a 60 s RPC outage. Every
 * backfill runs with the default configuration unless the test says why not, as a user would run it.
 */
class VolumeBackfillIT {
    @TempDir
    Path dir;

    private final String user = TestPostgres.user();

    /** 100-log blocks around one block of 10,000 transfers. */
    private static DevChain denseChain() {
        DevChain chain = new DevChain(1337, 0);
        Random r = new Random(11);
        chain.pregenerate(300, 100, r);
        chain.mineRandom(r, 10_000);
        chain.pregenerate(700, 100, r);
        return chain;
    }

    @Test
    void withDefaultsAProviderThatTimesOutOnBigAnswersIsMetBySmallerRangesWithoutPenalty() throws Exception {
        DevChain chain = new DevChain(1337, 0);
        chain.pregenerate(1_200, 100, new Random(11)); // about 90 transfers a block
        // answers of more than 5,000 logs (about 55 blocks) hang past the default 10 s timeout, as public nodes do
        ProviderLimits limits = ProviderLimits.NONE.withLatency(Duration.ofMillis(2), Duration.ofNanos(2_000))
                .hangAbove(5_000, Duration.ofSeconds(30));
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0), limits);
                FaultProxy proxy = FaultProxy.start(server.url())) {
            String url = TestPostgres.newDatabase();
            Path cfg = config(url, proxy.url(), "");
            EndpointMetrics m = backfill(cfg, chain.head(), new CopyOnWriteArrayList<>());
            assertRowsEqualChain(url, chain);

            assertTrue(server.injected().hangs() >= 1, "a range held more than 5,000 logs and hung: " + server.injected());
            assertTrue(m.errors("timeout") >= 1, m.toString());
            assertEquals(0, m.timesOutOfRotation(), "a multi-block timeout is not the endpoint's fault: " + m);
            List<Long> spans = proxy.getLogsSpans();
            assertEquals(8, spans.get(0), "an unknown chain is approached with 8 blocks: " + spans);
            int big = firstAtLeast(spans, 56); // more than 5,000 logs: such calls hung
            assertTrue(big >= 0, "a range grew past what the provider answers: " + spans);
            List<Long> later = spans.subList(spans.size() * 2 / 3, spans.size() - 1);
            assertTrue(later.stream().allMatch(n -> n < 56 * 2), "it stays near what the provider answers: " + spans);
            List<Long> sorted = later.stream().sorted().toList();
            assertTrue(sorted.get(sorted.size() / 2) >= 16, "without collapsing (median of the last third): " + spans);
        }
    }

    @Test
    void withDefaultsAProvidersLogCapIsFollowedToItsSuggestionAndADenseBlockIsFetchedAlone() throws Exception {
        DevChain chain = denseChain();
        ProviderLimits limits = ProviderLimits.NONE.withLogCap(5_000, 1);
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0), limits);
                FaultProxy proxy = FaultProxy.start(server.url())) {
            String url = TestPostgres.newDatabase();
            EndpointMetrics m = backfill(config(url, proxy.url(), ""), chain.head(), new CopyOnWriteArrayList<>());
            assertRowsEqualChain(url, chain);
            assertTrue(server.injected().refusals() >= 1, server.injected().toString());
            assertEquals(0, m.timesOutOfRotation(), m.toString());
            assertTrue(proxy.getLogsSpans().contains(1L), "the 10,000-log block alone: " + proxy.getLogsSpans());
        }
    }

    @Test
    void aBackfillOutlivesARollbackADatabaseRestartAndASixtySecondRpcOutage() throws Exception {
        DevChain chain = new DevChain(1337, 0);
        chain.pregenerate(1_500, 40, new Random(5));
        // slow answers and small calls (logs_per_call) so that the backfill is still running when each fault starts
        ProviderLimits limits = ProviderLimits.NONE.withLatency(Duration.ofMillis(300), Duration.ZERO);
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0), limits);
                FaultProxy proxy = FaultProxy.start(server.url())) {
            proxy.hang(Duration.ofSeconds(1));
            String url = TestPostgres.newDatabase();
            Path cfg = config(url, proxy.url(), "        logs_per_call: 500\n");
            List<String> waits = new CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<EndpointMetrics> run = pool.submit(() -> backfill(cfg, chain.head(), waits));
            awaitRows(url, 1, run);
            assertEquals(0, Main.execute("rollback", "--config", cfg.toString(), "--chain", "dev", "--to", "100", "--force"));
            awaitRows(url, rows(url) + 1, run);
            TestPostgres.restartServer(Duration.ofSeconds(5)); // commits wait for the pool's connections meanwhile
            awaitRows(url, rows(url) + 1, run);
            proxy.rate(FaultProxy.Fault.TIMEOUT, 1.0); // every request hangs, then is closed unanswered
            Thread.sleep(60_000);
            assertTrue(!run.isDone(), "the backfill is still waiting out the outage");
            proxy.clear();
            EndpointMetrics m = run.get(5, TimeUnit.MINUTES);
            pool.shutdown();
            assertRowsEqualChain(url, chain);
            // the outage was felt (the endpoint left the rotation); whether a call gave up and the backfill waited, or
            // the endpoint pool waited inside the call until the endpoint came back, depends on timing
            assertTrue(m.timesOutOfRotation() > 0, m + "; waits " + waits);
            assertTrue(waits.stream().allMatch(w -> w.startsWith("source:") || w.startsWith("database:")), waits.toString());
        }
    }

    /** A backfill of {@code [0, to]} as {@code backfill} runs it; returns the endpoint's figures afterwards. */
    private static EndpointMetrics backfill(Path cfg, long to, List<String> waits) throws Exception {
        try (Wiring w = Wiring.load(cfg)) {
            w.openDatabase("volume test");
            var plan = w.chain("dev");
            RpcChainSource source = w.source("dev");
            Backfill b = new Backfill(source, w.store, plan.tables(), plan.settings(), new LogRouter());
            RetryingBackfill.run(b, "dev", 0, to, false, (blocks, rows, total) -> {}, (why, in) -> waits.add(why));
            return source.endpointMetrics().get(0);
        }
    }

    private Path config(String dbUrl, String rpcUrl, String rpcExtra) throws Exception {
        return DevChainTables.config(dir, dbUrl, user, rpcUrl, rpcExtra);
    }

    private static int firstAtLeast(List<Long> spans, long n) {
        for (int i = 0; i < spans.size(); i++) if (spans.get(i) >= n) return i;
        return -1;
    }

    private void awaitRows(String url, long atLeast, Future<?> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (rows(url) < atLeast) {
            if (run.isDone()) run.get(); // its failure, if it failed
            assertTrue(!run.isDone(), "the backfill ended before the fault could be injected");
            assertTrue(System.nanoTime() < deadline, "no progress within 60 s");
            Thread.sleep(20);
        }
    }

    private long rows(String url) {
        try (Connection c = DriverManager.getConnection(url, user, null);
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM transfers")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException notYet) {
            return 0; // not created yet, or the server is restarting
        }
    }

    private void assertRowsEqualChain(String url, DevChain chain) throws Exception {
        DevChainTables.assertEqualsChain(url, user, chain);
    }
}
