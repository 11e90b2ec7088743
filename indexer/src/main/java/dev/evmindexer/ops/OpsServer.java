package dev.evmindexer.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} (Prometheus text format), {@code /healthz} and {@code /readyz} (JSON saying why;
 * 200 when ok, 503 otherwise) on the JDK's HTTP server, one virtual thread per request. Served by
 * {@code run} and {@code demo} only. Binds 127.0.0.1 unless configured otherwise; port 0 picks a free port.
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private OpsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static OpsServer start(String host, int port, IndexerMetrics metrics, Health health) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics and health on " + host + ":" + port + " (ops.host/ops.port): "
                    + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/metrics", ex -> respond(ex, () -> new Body(200, PROMETHEUS_TYPE, metrics.scrape())));
        server.createContext("/healthz", ex -> respond(ex, () -> json(health.live())));
        server.createContext("/readyz", ex -> respond(ex, () -> json(health.ready())));
        server.createContext("/", ex -> respond(ex, () -> new Body(404, "text/plain; charset=utf-8",
                "not found: try /metrics, /healthz or /readyz\n")));
        server.start();
        OpsServer s = new OpsServer(server, executor);
        log.info("ops.listening url=http://{}:{} paths=/metrics,/healthz,/readyz", host, s.port());
        return s;
    }

    /** The bound port (the chosen one when configured as 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private record Body(int status, String type, String text) {}

    private static Body json(Health.Report r) {
        try {
            return new Body(r.ok() ? 200 : 503, "application/json", JSON.writeValueAsString(r.body()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void respond(HttpExchange ex, Supplier<Body> page) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                send(ex, new Body(405, "text/plain; charset=utf-8", "only GET\n"));
                return;
            }
            Body b;
            try {
                b = page.get();
            } catch (RuntimeException e) {
                log.warn("ops.error path={} cause=\"{}\"", ex.getRequestURI().getPath(), e.toString());
                b = new Body(500, "text/plain; charset=utf-8", "error: " + e.getMessage() + "\n");
            }
            send(ex, b);
        }
    }

    private static void send(HttpExchange ex, Body b) throws IOException {
        byte[] bytes = b.text().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", b.type());
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(b.status(), head ? -1 : bytes.length);
        if (head) return;
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
