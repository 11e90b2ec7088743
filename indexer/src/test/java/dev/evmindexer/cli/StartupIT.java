package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.eth.Address;
import dev.evmindexer.testsupport.TestPostgres;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} as a process whose node is down: the ops server answers first, a chain whose endpoints are all
 * down is not ready (saying why) while another chain is indexed, SIGTERM exits 0 at once, and {@code status}
 * answers from the database.
 */
class StartupIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private final String url = TestPostgres.newDatabase();
    private final String user = TestPostgres.user();

    @Test
    void sigtermDuringAStartWhoseOnlyEndpointIsDownExitsZero() throws Exception {
        int ops = freePort();
        Path cfg = config(ops, null, deadUrl());
        Process daemon = launch(cfg, "run", "daemon.log", "--log-format", "json");
        try {
            // the ops server answers while the chain cannot connect, and readiness names the chain and the cause
            JsonNode ready = awaitReadyz(ops, daemon, r -> r.path("chains").path("down").path("reasons").toString()
                    .contains("none of the 1 endpoints of chain down answers"));
            assertFalse(ready.path("chains").path("down").path("ready").asBoolean());
            assertEquals(200, get(ops, "/healthz").statusCode(), "alive while the node is down");
        } finally {
            daemon.destroy(); // SIGTERM
        }
        assertTrue(daemon.waitFor(5, TimeUnit.SECONDS), "SIGTERM ends a start-up whose node is down; see " + log("daemon.log"));
        assertEquals(0, daemon.exitValue(), "a clean stop; see " + log("daemon.log"));
        // under --log-format json every log line is one JSON object whose values are whole
        List<String> lines = Files.readAllLines(dir.resolve("daemon.log.err"));
        boolean sawFailure = false;
        for (String line : lines) {
            JsonNode j = JSON.readTree(line);
            if (j.path("event").asText().equals("step.failed")) {
                sawFailure = true;
                assertTrue(j.path("cause").asText().matches("none of the 1 endpoints of chain down answers: \\S+ failed "
                        + "eth_chainId: .*127\\.0\\.0\\.1:\\d+"), "the whole cause: " + line);
            }
        }
        assertTrue(sawFailure, "the connect failures were logged: " + lines);
    }

    @Test
    void sigtermWhileTheDatabaseIsDownAtStartExitsZero() throws Exception {
        int ops = freePort();
        Path cfg = config(ops, null, deadUrl());
        Files.writeString(cfg, Files.readString(cfg).replace(url, "jdbc:postgresql://127.0.0.1:" + freePort() + "/nothing"));
        Process daemon = launch(cfg, "run", "daemon.log");
        try {
            JsonNode ready = awaitReadyz(ops, daemon, r -> r.path("reasons").toString().contains("starting: opening the database"));
            assertEquals("not ready", ready.path("status").asText());
            ChainCheck.await(Duration.ofSeconds(30), () -> {
                try {
                    return log("daemon.log").contains("not reachable"); // waiting for the database, with backoff
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            daemon.destroy();
        }
        assertTrue(daemon.waitFor(5, TimeUnit.SECONDS), "SIGTERM ends a start-up waiting for the database; see " + log("daemon.log"));
        assertEquals(0, daemon.exitValue(), log("daemon.log"));
    }

    @Test
    void underJsonLogsTheFatalErrorIsOneJsonLine() throws Exception {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(cfg, "chains: []\nsources: []\nbogus: 1\n");
        Process p = launch(cfg, "status", "bad.log", "--log-format", "json");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), log("bad.log"));
        List<String> lines = Files.readAllLines(dir.resolve("bad.log.err"));
        JsonNode last = JSON.readTree(lines.get(lines.size() - 1));
        assertEquals("ERROR", last.path("level").asText(), lines.toString());
        assertTrue(last.path("msg").asText().startsWith("error: ") && last.path("msg").asText().contains("bogus"),
                lines.toString());
        for (String line : lines) JSON.readTree(line); // nothing else in another format
    }

    @Test
    void aChainWhoseNodeIsDownLeavesTheOtherIndexedAndStatusAnswersFromTheDatabase() throws Exception {
        DevChain chain = new DevChain(1337, 0);
        chain.pregenerate(40, 3, new Random(13));
        int ops = freePort();
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0))) {
            Path cfg = config(ops, server.url().toString(), deadUrl());
            Process daemon = launch(cfg, "run", "daemon.log");
            try {
                ChainCheck.await(Duration.ofSeconds(90), () -> daemon.isAlive() && tip(1337) == chain.head());
                DevChainTables.assertEqualsChain(url, user, chain);
                JsonNode ready = awaitReadyz(ops, daemon, r -> r.path("chains").path("dev").path("ready").asBoolean()
                        && r.path("chains").path("down").path("reasons").toString().contains("none of the 1 endpoints of chain down answers"));
                assertEquals("not ready", ready.path("status").asText());
                assertTrue(ready.path("reasons").toString().contains("chain down:"), ready.toString());
                assertFalse(ready.path("reasons").toString().contains("chain dev:"), ready.toString());

                // a progress line per chain at the configured interval
                ChainCheck.await(Duration.ofSeconds(30), () -> {
                    try {
                        String l = log("daemon.log");
                        return l.contains("progress chain=dev head=" + chain.head() + " tip=" + chain.head() + " lag=0 ")
                                && l.contains("progress chain=down head=unknown tip=none lag=unknown");
                    } catch (Exception e) {
                        return false;
                    }
                });

                // status beside the running daemon (external database): the down node is reported, not waited for
                Process status = launch(cfg, "status", "status.log", "--json");
                assertTrue(status.waitFor(60, TimeUnit.SECONDS), "status returns; see " + log("status.log"));
                assertEquals(0, status.exitValue(), log("status.log"));
                JsonNode s = JSON.readTree(lastLine(log("status.log")));
                JsonNode dev = s.path("chains").get(0);
                JsonNode down = s.path("chains").get(1);
                assertEquals("dev", dev.path("name").asText());
                assertEquals(chain.head(), dev.path("node_head").asLong());
                assertEquals(chain.head(), dev.path("tip").asLong());
                assertEquals("down", down.path("name").asText());
                assertTrue(down.path("node_head").isNull(), s.toString());
                assertTrue(down.path("node_error").asText().contains("none of the 1 endpoints"), s.toString());
                assertTrue(down.path("tip").isNull(), "nothing stored for the down chain: " + s);

                Process text = launch(cfg, "status", "status.txt");
                assertTrue(text.waitFor(60, TimeUnit.SECONDS));
                assertTrue(log("status.txt").contains("chain down (id 999): head unknown: the node does not answer"),
                        log("status.txt"));
            } finally {
                daemon.destroy();
            }
            assertTrue(daemon.waitFor(10, TimeUnit.SECONDS), log("daemon.log"));
            assertEquals(0, daemon.exitValue(), log("daemon.log"));
        }
    }

    private Path config(int opsPort, String devUrl, String downUrl) throws Exception {
        StringBuilder y = new StringBuilder("""
                database:
                  url: "%s"
                  user: %s
                ops: {port: %d, progress_interval: 1s}
                chains:
                """.formatted(url, user, opsPort));
        if (devUrl != null) y.append("""
                  - name: dev
                    chain_id: 1337
                    rpc: [{url: "%s"}]
                    finality: 0
                    poll_interval: 100ms
                """.formatted(devUrl));
        y.append("""
                  - name: down
                    chain_id: 999
                    rpc: [{url: "%s", timeout: 2s}]
                    finality: 0
                sources:
                """.formatted(downUrl));
        String tokens = String.join(", ", DevChain.TOKENS.stream().map(Address::hex).toList());
        String event = "\n    events:\n      - signature: \"event Transfer(address indexed from, address indexed to, uint256 value)\"\n";
        if (devUrl != null) y.append("  - name: tokens\n    chain: dev\n    addresses: [" + tokens + "]" + event + "        table: transfers\n");
        y.append("  - name: down_tokens\n    chain: down\n    addresses: [" + tokens + "]" + event + "        table: down_transfers\n");
        Path file = dir.resolve("indexer.yaml");
        Files.writeString(file, y.toString());
        return file;
    }

    /** A URL on which nothing listens: connections are refused. */
    private static String deadUrl() throws Exception {
        return "http://127.0.0.1:" + freePort();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process launch(Path cfg, String command, String logName, String... extra) throws Exception {
        Path jar = Path.of(System.getProperty("indexer.jar", "target/indexer.jar"));
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before integration tests: " + jar);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-jar", jar.toAbsolutePath().toString(),
                command, "--config", cfg.toString()));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve(logName).toFile()).redirectError(dir.resolve(logName + ".err").toFile())
                .start();
    }

    private String log(String name) throws Exception {
        Path out = dir.resolve(name);
        Path err = dir.resolve(name + ".err");
        return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(err) ? Files.readString(err) : "");
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n", -1);
        for (int i = lines.length - 1; i >= 0; i--) if (lines[i].startsWith("{")) return lines[i];
        return "";
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code /readyz} (bounded) until its body satisfies {@code test}; fails naming the last body. */
    private JsonNode awaitReadyz(int port, Process daemon, java.util.function.Predicate<JsonNode> test) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline && daemon.isAlive()) {
            try {
                HttpResponse<String> r = get(port, "/readyz");
                last = r.statusCode() + " " + r.body();
                JsonNode body = JSON.readTree(r.body());
                if (test.test(body)) {
                    assertEquals(503, r.statusCode());
                    return body;
                }
            } catch (java.io.IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/readyz never showed the expected state; last: " + last + "; log: " + log("daemon.log"));
    }

    private long tip(long chainId) {
        try (Connection c = DriverManager.getConnection(url, user, null); ResultSet rs = c.createStatement().executeQuery(
                "SELECT coalesce(max(block_number), -1) FROM indexer.headers WHERE chain_id = " + chainId)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException notYet) {
            return -1;
        }
    }
}
