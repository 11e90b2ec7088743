package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A JSON-RPC node for unit tests on the JDK's HTTP server (port 0): answers from a {@link FakeChain} at a given
 * head, through a {@link Script} that may tamper with any answer. Records every request it receives.
 */
final class FakeRpcServer implements AutoCloseable {
    /** Returns the answer element for one request; {@code normal} gives the well-behaved node's answer. */
    interface Script {
        JsonNode answer(String method, JsonNode params, Supplier<JsonNode> normal);
    }

    record Received(String method, JsonNode params) {}

    private final HttpServer server;
    private final FakeChain chain;
    private volatile long head;
    private volatile Script script = (m, p, normal) -> normal.get();
    private volatile int batchLimit = Integer.MAX_VALUE;
    private volatile int httpStatus = 200;
    final List<Received> received = new CopyOnWriteArrayList<>();
    /** Sizes of the JSON-RPC batches received (1 for a single request). */
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    FakeRpcServer(FakeChain chain) throws IOException {
        this.chain = chain;
        this.head = chain.head();
        dev.evmindexer.devchain.DevChainServer.noDelay(); // before any HttpServer of the JVM starts
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** The URL, with a fake API key in the path that must never show up in messages. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v3/SECRETKEY123";
    }

    String redacted() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/…";
    }

    FakeRpcServer script(Script s) {
        this.script = s;
        return this;
    }

    /** Pretends the node is at {@code head} (below the chain's): higher blocks do not exist for it. */
    FakeRpcServer head(long head) {
        this.head = head;
        return this;
    }

    /** Batches larger than {@code n} are answered with one error object, as providers with a batch limit do. */
    FakeRpcServer batchLimit(int n) {
        this.batchLimit = n;
        return this;
    }

    /** Answers every request with this HTTP status (and a JSON-RPC error body) unless it is 200. */
    FakeRpcServer httpStatus(int status) {
        this.httpStatus = status;
        return this;
    }

    long count(String method) {
        return received.stream().filter(r -> r.method().equals(method)).count();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode body = FakeChain.JSON.readTree(ex.getRequestBody());
            batchSizes.add(body.isArray() ? body.size() : 1);
            JsonNode answer;
            int status = httpStatus;
            if (status != 200) {
                byte[] bytes = FakeChain.JSON.writeValueAsBytes(FakeChain.error(-32005, status == 429
                        ? "Too Many Requests" : "HTTP " + status));
                ex.sendResponseHeaders(status, bytes.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(bytes);
                }
                return;
            }
            if (body.isArray() && body.size() > batchLimit) {
                answer = FakeChain.error(-32600, "batch size too large, max " + batchLimit);
            } else if (body.isArray()) {
                ArrayNode out = FakeChain.JSON.createArrayNode();
                for (JsonNode r : body) out.add(one(r));
                answer = out;
            } else {
                answer = one(body);
            }
            byte[] bytes = FakeChain.JSON.writeValueAsBytes(answer);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    private JsonNode one(JsonNode request) {
        String method = request.get("method").asText();
        JsonNode params = request.get("params");
        received.add(new Received(method, params));
        long h = head;
        JsonNode a = script.answer(method, params, () -> chain.answer(method, params, h));
        ObjectNode withId = ((ObjectNode) a).deepCopy();
        withId.set("id", request.get("id"));
        return withId;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
