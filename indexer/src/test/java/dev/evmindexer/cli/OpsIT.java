package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.ops.IndexerMetrics;
import dev.evmindexer.ops.OpsRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon indexing the devchain into a real PostgreSQL while {@code /metrics}, {@code /healthz} and
 * {@code /readyz} are scraped over HTTP; a halt makes {@code /readyz} fail and say why; a second daemon
 * on the same chain and database refuses to start and names the holder.
 */
class OpsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the sample {@code name{labels...}} (labels as they appear, a prefix match), or NaN. */
    static double sample(String scrape, String name, String labelsContain) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(scrape);
        while (m.find()) {
            if (m.group(1).contains(labelsContain)) return Double.parseDouble(m.group(2));
        }
        return Double.NaN;
    }

    @Test
    void metricsAndHealthWhileIndexingThenAHaltFailsReadiness() throws Exception {
        try (DevIndexing dev = DevIndexing.start(dir, 300, 6); Wiring w = dev.open("ops test");
                IndexerMetrics metrics = new IndexerMetrics()) {
            Daemon daemon = RunCommand.start(w, metrics);
            try (OpsRuntime ops = OpsRuntime.start(w.plan.config().ops(), metrics, RunCommand.statuses(daemon),
                    w.database.dataSource())) {
                int port = ops.port();
                assertTrue(port > 0);
                dev.awaitTip();
                // while it follows the tip, new blocks arrive
                for (int i = 0; i < 5; i++) dev.chain.mineRandom(new Random(i));
                dev.awaitTip();
                Thread.sleep(300); // one more poll so the head gauge has seen the last block

                HttpResponse<String> m = get(port, "/metrics");
                assertEquals(200, m.statusCode());
                assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
                String s = m.body();
                long head = dev.chain.head();
                assertEquals((double) head, sample(s, "indexer_chain_head", "chain=\"dev\""), 0.0, s);
                assertEquals((double) head, sample(s, "indexer_chain_indexed", "chain=\"dev\""), 0.0);
                assertEquals(0, sample(s, "indexer_chain_lag_blocks", "chain=\"dev\""), 0.0);
                assertEquals((double) (head - DevIndexing.FINALITY_DEPTH), sample(s, "indexer_chain_finalized", "chain=\"dev\""), 2.0);
                long rows = dev.scalar("SELECT count(*) FROM transfers");
                assertTrue(rows > 100, "rows " + rows);
                double range = sample(s, "indexer_events_written_total", "phase=\"range\"");
                double tip = sample(s, "indexer_events_written_total", "phase=\"tip\"");
                assertEquals((double) rows, range + tip, 0.0, "every row written counted once, by phase");
                assertTrue(tip > 0 && range > 0, s);
                assertTrue(sample(s, "indexer_blocks_written_total", "phase=\"tip\"") >= 5);
                assertTrue(sample(s, "indexer_backfill_ranges_done_total", "table=\"public.transfers\"") >= 1);
                assertEquals(0, sample(s, "indexer_backfill_pending_blocks", "source=\"tokens\""), 0.0);
                assertTrue(sample(s, "indexer_rpc_requests_total", "method=\"eth_blockNumber\"") > 0
                        || sample(s, "indexer_rpc_requests_total", "method=\"batch\"") > 0, s);
                assertTrue(s.contains("endpoint=\"http://127.0.0.1:"), "endpoint tag is the redacted host:port");
                assertTrue(sample(s, "indexer_db_transaction_seconds_count", "kind=\"tip\"") >= 5);
                assertTrue(sample(s, "indexer_db_copy_seconds_count", "table=\"public.transfers\"") >= 1);
                assertTrue(s.contains("indexer_decode_rejects_total{chain=\"dev\",reason=\"topic_count\""), s);
                assertEquals(0, sample(s, "indexer_chain_halted", "chain=\"dev\""), 0.0);
                assertQueriedMetricsExist(s, "config/grafana-dashboard.json", 20);

                HttpResponse<String> live = get(port, "/healthz");
                assertEquals(200, live.statusCode(), live.body());
                assertEquals("ok", JSON.readTree(live.body()).get("status").asText());
                HttpResponse<String> ready = get(port, "/readyz");
                assertEquals(200, ready.statusCode(), ready.body());
                JsonNode r = JSON.readTree(ready.body());
                assertTrue(r.get("database").get("ok").asBoolean());
                assertEquals(head, r.get("chains").get("dev").get("indexed").asLong());

                // housekeeping writes the node's head and safe tag into indexer.chain_status every few seconds
                long safe = dev.chain.finalized(); // the devchain's safe tag names the same block as its finalized one
                assertTrue(safe > 0 && safe < head);
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while ((dev.scalar("SELECT coalesce(head, -1) FROM indexer.chain_status") != head
                        || dev.scalar("SELECT coalesce(safe, -1) FROM indexer.chain_status") != safe) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertEquals(head, dev.scalar("SELECT head FROM indexer.chain_status"));
                assertEquals(safe, dev.scalar("SELECT safe FROM indexer.chain_status"));
                assertEquals((double) safe, sample(get(port, "/metrics").body(), "indexer_chain_node_safe", "chain=\"dev\""), 0.0);

                // a halt (as a reorg past finality would leave it) fails readiness, and says why
                dev.execute("UPDATE indexer.chains SET halted_reason = 'test: reorg past the anchor' WHERE chain_id = "
                        + DevIndexing.CHAIN_ID);
                HttpResponse<String> halted = awaitStatus(port, "/readyz", 503);
                assertTrue(halted.body().contains("halted: test: reorg past the anchor"), halted.body());
                assertEquals(1, sample(get(port, "/metrics").body(), "indexer_chain_halted", "chain=\"dev\""), 0.0);
                assertEquals(200, get(port, "/healthz").statusCode(), "a halted chain is alive, just not ready");
                assertEquals(404, get(port, "/nothing").statusCode());

                // the halt cleared (as `rollback` does): ready again
                dev.execute("UPDATE indexer.chains SET halted_reason = NULL WHERE chain_id = " + DevIndexing.CHAIN_ID);
                awaitStatus(port, "/readyz", 200);

                // every RPC endpoint down: readiness fails and says so (the daemon waits, it does not exit)
                dev.server.close();
                String body = "";
                for (int i = 0; i < 300 && !body.contains("no RPC endpoint has answered"); i++) {
                    Thread.sleep(100);
                    body = get(port, "/readyz").body();
                }
                assertTrue(body.contains("no RPC endpoint has answered"), body);
                assertEquals(503, get(port, "/readyz").statusCode());
                String down = get(port, "/metrics").body();
                assertEquals(0, sample(down, "indexer_chain_ready", "chain=\"dev\""), 0.0, "the ready gauge follows /readyz");
                assertQueriedMetricsExist(down, "config/alerts.yaml", 5); // the RPC errors series exists by now
                assertEquals(200, get(port, "/healthz").statusCode(), "failing RPC is retried: alive, not ready");
            } finally {
                daemon.requestStop();
                daemon.close();
            }
        }
    }

    /** Every indexer_* series {@code file} (the Grafana dashboard, the alert rules) queries is in the scrape. */
    private static void assertQueriedMetricsExist(String scrape, String file, int atLeast) throws Exception {
        String text = java.nio.file.Files.readString(repoFile(file));
        Matcher m = Pattern.compile("indexer_[a-z_]+").matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
            assertTrue(Pattern.compile("(?m)^" + m.group() + "[{ ]").matcher(scrape).find(),
                    file + " queries " + m.group() + " but /metrics has no such series");
        }
        assertTrue(n >= atLeast, "queries found in " + file + ": " + n);
    }

    static Path repoFile(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (java.nio.file.Files.exists(d.resolve(relative))) return d.resolve(relative);
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    private HttpResponse<String> awaitStatus(int port, String path, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            HttpResponse<String> r = get(port, path);
            if (r.statusCode() == status || System.nanoTime() > deadline) return r;
            Thread.sleep(100);
        }
    }

    @Test
    void aSecondDaemonOnTheSameChainWaitsAsStandbyAndTakesOverWhenTheFirstStops() throws Exception {
        try (DevIndexing dev = DevIndexing.start(dir, 50, 2); Wiring first = dev.open("first daemon");
                Wiring second = dev.open("second daemon")) {
            Daemon daemon = RunCommand.start(first);
            awaitLeading(daemon, true);
            Daemon standby = RunCommand.start(second);
            try {
                awaitStandby(standby);
                String leader = standby.loops().get(0).status().standbyFor();
                assertTrue(leader.contains("evm-indexer run, pid " + ProcessHandle.current().pid()), leader);
                assertTrue(leader.contains("application 'first daemon'"), leader);
                assertFalse(standby.loops().get(0).status().leading());
                long before = generation(first);

                daemon.requestStop();
                daemon.close();
                awaitLeading(standby, true);
                assertEquals(before + 1, generation(second), "the takeover bumped the fencing generation");
            } finally {
                standby.requestStop();
                standby.close();
            }
        }
    }

    private static long generation(Wiring w) throws Exception {
        try (var c = w.database.dataSource().getConnection();
                var rs = c.createStatement().executeQuery("SELECT leader_generation FROM indexer.chains WHERE chain_id = 1337")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitLeading(Daemon d, boolean leading) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (d.loops().get(0).status().leading() != leading && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(leading, d.loops().get(0).status().leading());
    }

    private static void awaitStandby(Daemon d) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (d.loops().get(0).status().standbyFor() == null && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(d.loops().get(0).status().standbyFor() != null, "the second daemon waits as a standby");
    }
}
