package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.ops.IndexerMetrics;
import dev.evmindexer.ops.OpsRuntime;
import dev.evmindexer.testsupport.TestPostgres;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Honest start-up (issue 14): an endpoint that answers, but not as a node (a proxy's HTML page with 200 or with an
 * error status), is named at WARN with the first bytes of its answer and its URL reduced to scheme, host and port,
 * while the chain is indexed through the good endpoint; and {@code /readyz} during a database outage blames the
 * database, not the RPC endpoints.
 */
class HonestStartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String PAGE_200 = "<html><head><title>Bad Gateway</title></head><body>upstream node gone</body></html>";
    private static final String PAGE_503 = "<!DOCTYPE html><html><body>Service Unavailable: maintenance</body></html>";

    @TempDir
    Path dir;

    @Test
    void anEndpointAnsweringAnHtmlPageIsNamedAtWarnWithTheFirstBytesOfItsAnswer() throws Exception {
        String url = TestPostgres.newDatabase();
        DevChain chain = new DevChain(1337, 0);
        chain.pregenerate(30, 3, new Random(21));
        HttpServer html = page(200, PAGE_200);
        HttpServer unavailable = page(503, PAGE_503);
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0))) {
            String htmlUrl = "http://127.0.0.1:" + html.getAddress().getPort() + "/v2/SECRETKEY";
            String unavailableUrl = "http://127.0.0.1:" + unavailable.getAddress().getPort() + "/key/SECRETKEY";
            Path cfg = DevChainTables.config(dir, url, TestPostgres.user(), htmlUrl, "      - url: " + unavailableUrl
                    + "\n      - url: " + server.url() + "\n    poll_interval: 100ms\n");
            Process daemon = launch(cfg);
            try {
                ChainCheck.await(Duration.ofSeconds(90), () -> daemon.isAlive() && tip(url) == chain.head());
                DevChainTables.assertEqualsChain(url, TestPostgres.user(), chain);
                ChainCheck.await(Duration.ofSeconds(30), () -> warnings(htmlUrl).size() == 1 && warnings(unavailableUrl).size() == 1);
            } finally {
                daemon.destroy();
                html.stop(0);
                unavailable.stop(0);
            }
            assertTrue(daemon.waitFor(10, TimeUnit.SECONDS), log());
            String page = warnings(htmlUrl).get(0);
            assertTrue(page.contains("WARN") && page.contains("http://127.0.0.1:" + html.getAddress().getPort() + "/…"), page);
            assertTrue(page.contains("its answer began \"" + PAGE_200.substring(0, 60)), "the first bytes: " + page);
            String status = warnings(unavailableUrl).get(0);
            assertTrue(status.contains("HTTP 503 " + PAGE_503), "the status and the page: " + status);
            assertFalse(log().contains("SECRETKEY"), "the URL's path, where keys live, is never logged: " + log());
        }
    }

    @Test
    void duringADatabaseOutageReadyzBlamesTheDatabaseNotTheEndpoints() throws Exception {
        try (DevIndexing dev = DevIndexing.start(dir, 30, 3); Wiring w = dev.open("honest start test");
                IndexerMetrics metrics = new IndexerMetrics()) {
            Daemon daemon = RunCommand.start(w, metrics);
            try (OpsRuntime ops = OpsRuntime.start(w.plan.config().ops(), metrics, RunCommand.statuses(daemon),
                    w.database.dataSource())) {
                dev.awaitTip();
                assertEquals(200, get(ops.port(), "/readyz").statusCode());
                // down for longer than the quiet window after which silent endpoints count as down (10 s)
                Duration down = Duration.ofSeconds(18);
                Thread outage = Thread.ofVirtual().start(() -> TestPostgres.restartServer(down));
                long from = System.nanoTime();
                List<String> bodies = new ArrayList<>();
                while (System.nanoTime() - from < down.toNanos() - Duration.ofSeconds(2).toNanos()) {
                    HttpResponse<String> r = get(ops.port(), "/readyz");
                    if (System.nanoTime() - from > Duration.ofSeconds(12).toNanos()) bodies.add(r.statusCode() + " " + r.body());
                    Thread.sleep(500);
                }
                outage.join();
                assertFalse(bodies.isEmpty());
                for (String b : bodies) {
                    assertTrue(b.startsWith("503 "), b);
                    JsonNode r = JSON.readTree(b.substring(4));
                    assertFalse(r.path("database").path("ok").asBoolean(), b);
                    assertTrue(r.path("reasons").toString().contains("database does not answer"), b);
                    assertTrue(r.path("chains").path("dev").path("reasons").toString().contains("waiting for the database"), b);
                    assertFalse(r.toString().contains("RPC endpoint"), "the endpoints are not blamed: " + b);
                }
                dev.chain.mineRandom(new Random(3));
                dev.awaitTip();
                ChainCheck.await(Duration.ofSeconds(30), () -> readyStatus(ops.port()) == 200);
            } finally {
                daemon.requestStop();
                daemon.close();
            }
        }
    }

    /** A server that answers every request with {@code status} and the HTML {@code page}. */
    private static HttpServer page(int status, String page) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        s.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                byte[] body = page.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/html");
                ex.sendResponseHeaders(status, body.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body);
                }
            }
        });
        s.start();
        return s;
    }

    /** The log lines that warn about the endpoint at {@code url} (named by scheme, host and port). */
    private List<String> warnings(String url) {
        String name = url.substring(0, url.indexOf('/', "http://".length()));
        try {
            return log().lines().filter(l -> l.contains("not as a node does") && l.contains(name + "/")).toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    private Process launch(Path cfg) throws Exception {
        Path jar = Path.of(System.getProperty("indexer.jar", "target/indexer.jar"));
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before integration tests: " + jar);
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toAbsolutePath().toString(), "run", "--config",
                cfg.toString()).directory(dir.toFile()).redirectOutput(dir.resolve("daemon.log").toFile())
                .redirectError(dir.resolve("daemon.log.err").toFile()).start();
    }

    private String log() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String n : List.of("daemon.log", "daemon.log.err")) {
            if (Files.exists(dir.resolve(n))) sb.append(Files.readString(dir.resolve(n)));
        }
        return sb.toString();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int readyStatus(int port) {
        try {
            return get(port, "/readyz").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static long tip(String url) {
        try (Connection c = DriverManager.getConnection(url, TestPostgres.user(), null); ResultSet rs = c.createStatement()
                .executeQuery("SELECT coalesce(max(block_number), -1) FROM indexer.headers WHERE chain_id = 1337")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException notYet) {
            return -1;
        }
    }
}
