package dev.evmindexer.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.evmindexer.eth.Hex;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fault-injecting JSON-RPC proxy for tests, in front of any node (anvil, the devchain), on a loopback port
 * chosen by the system. Each HTTP request (a batch is one) may, at the rate set for each fault: be answered with
 * HTTP 429, hang past the client's timeout, be cut off mid-body, be answered with invalid JSON, or have its headers
 * ({@code eth_getBlockByNumber}) from another fork; each {@code eth_getLogs} answer in it may have a log with a
 * wrong {@code blockHash} or miss logs; each {@code eth_getBlockReceipts} answer may miss a log (the later logs renumbered,
 * so that only a receipts-root proof can tell); each {@code eth_getLogs} answer may silently leave one log out
 * ({@link Fault#DROPPED_LOG}, outside the range's last block: no bloom check sees it, only reconciliation does);
 * each {@code eth_getBlockReceipts} or {@code eth_getBlockByHash} answer may name other transaction hashes
 * ({@link Fault#WRONG_TX_HASH}) than the block's logs. Two faults are not random: {@link #lag} makes the node look N blocks behind
 * (consistently: head, blocks, logs), and {@link #rangeLimit} refuses {@code eth_getLogs} ranges over K blocks in
 * a given provider's words. Every injected fault is counted ({@link #injected}). Thread-safe.
 *
 * <p>Missing logs are dropped only where a header's bloom can reveal them to a client: every log of a block asked
 * for by hash, or of a range's last block. Logs missing elsewhere no bloom check can see (that is {@code verify}'s
 * job), so a test that expects the indexer to recover must not inject them.
 */
public final class FaultProxy implements AutoCloseable {
    /** The faults this proxy can inject. */
    public enum Fault {
        TOO_MANY_REQUESTS, TIMEOUT, DROP_MID_BODY, INVALID_JSON, FORK_HEADER, WRONG_LOG_BLOCK_HASH, MISSING_LOGS,
        LAG, RANGE_LIMIT, DROPPED_RECEIPT_LOG, DROPPED_LOG, WRONG_TX_HASH
    }

    private final URI upstream;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Fault, Double> rates = new EnumMap<>(Fault.class);
    private final List<Long> spans = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<long[]> ranges = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
    private final ReentrantLock randomLock = new ReentrantLock();
    private Random random = new Random(1);
    private volatile Duration hang = Duration.ofSeconds(3);
    private volatile int lagBlocks;
    private volatile long rangeLimit;
    private volatile ProviderMessage rangeMessage = ProviderMessage.ANKR;

    private FaultProxy(URI upstream, HttpServer server) {
        this.upstream = upstream;
        this.server = server;
        for (Fault f : Fault.values()) {
            rates.put(f, 0.0);
            injected.put(f, new AtomicLong());
        }
    }

    /** Starts a proxy in front of {@code upstream} on {@code 127.0.0.1} and a free port; no faults yet. */
    public static FaultProxy start(URI upstream) {
        try {
        dev.evmindexer.devchain.DevChainServer.noDelay(); // before any HttpServer of the JVM starts
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            FaultProxy proxy = new FaultProxy(upstream, server);
            server.createContext("/", proxy::handle);
            server.setExecutor(proxy.executor);
            server.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("starting a fault proxy in front of " + upstream, e);
        }
    }

    /** The proxy's URL, with a fake API key in its path (which must never show up in the indexer's output). */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v2/FAULTPROXYKEY";
    }

    /** Injects {@code fault} into this share (0..1) of the requests or answers it applies to. */
    public FaultProxy rate(Fault fault, double share) {
        if (fault == Fault.LAG || fault == Fault.RANGE_LIMIT) {
            throw new IllegalArgumentException(fault + " is not random: use lag() or rangeLimit()");
        }
        if (!(share >= 0 && share <= 1)) throw new IllegalArgumentException("rate must be in [0, 1], got " + share);
        synchronized (rates) {
            rates.put(fault, share);
        }
        return this;
    }

    /** How long a {@link Fault#TIMEOUT} holds a request before closing it unanswered (default 3 s). */
    public FaultProxy hang(Duration d) {
        this.hang = d;
        return this;
    }

    /** Seeds the random draws (default 1), for reproducible runs. */
    public FaultProxy seed(long seed) {
        randomLock.lock();
        try {
            random = new Random(seed);
        } finally {
            randomLock.unlock();
        }
        return this;
    }

    /** Makes the node look {@code blocks} behind its real head (0: off). */
    public FaultProxy lag(int blocks) {
        this.lagBlocks = blocks;
        return this;
    }

    /** Refuses {@code eth_getLogs} ranges over {@code maxBlocks} blocks as {@code provider} does (0: off). */
    public FaultProxy rangeLimit(long maxBlocks, ProviderMessage provider) {
        this.rangeMessage = provider;
        this.rangeLimit = maxBlocks;
        return this;
    }

    /** Turns every fault off. */
    public FaultProxy clear() {
        for (Fault f : Fault.values()) if (f != Fault.LAG && f != Fault.RANGE_LIMIT) rate(f, 0);
        lagBlocks = 0;
        rangeLimit = 0;
        return this;
    }

    /** How many times {@code fault} was injected. */
    public long injected(Fault fault) {
        return injected.get(fault).get();
    }

    /** Every fault's count, for a test's report. */
    public Map<Fault, Long> injected() {
        Map<Fault, Long> out = new EnumMap<>(Fault.class);
        injected.forEach((f, n) -> out.put(f, n.get()));
        return out;
    }

    boolean draw(Fault fault) {
        double rate;
        synchronized (rates) {
            rate = rates.get(fault);
        }
        if (rate <= 0) return false;
        randomLock.lock();
        try {
            if (random.nextDouble() >= rate) return false;
        } finally {
            randomLock.unlock();
        }
        injected.get(fault).incrementAndGet();
        return true;
    }

    int nextInt(int bound) {
        randomLock.lock();
        try {
            return random.nextInt(bound);
        } finally {
            randomLock.unlock();
        }
    }

    void count(Fault fault) {
        injected.get(fault).incrementAndGet();
    }

    int lagBlocks() {
        return lagBlocks;
    }

    long rangeLimit() {
        return rangeLimit;
    }

    ProviderMessage rangeMessage() {
        return rangeMessage;
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (draw(Fault.TOO_MANY_REQUESTS)) {
                send(ex, 429, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32005,\"message\":\"Too Many Requests\"}}");
                return;
            }
            if (draw(Fault.TIMEOUT)) {
                Thread.sleep(hang);
                return; // closed unanswered
            }
            JsonNode request = JsonRpcClient.JSON.readTree(body);
            recordRanges(request);
            FaultAnswers.Answer answer = new FaultAnswers(this).answer(request);
            String text = JsonRpcClient.JSON.writeValueAsString(answer.body());
            if (answer.httpStatus() == 200 && draw(Fault.INVALID_JSON)) {
                send(ex, 200, text.substring(0, text.length() / 2) + "<html>502 Bad Gateway</html>");
                return;
            }
            if (answer.httpStatus() == 200 && draw(Fault.DROP_MID_BODY)) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, bytes.length);
                OutputStream os = ex.getResponseBody();
                os.write(bytes, 0, bytes.length / 2);
                os.flush();
                return; // closing the exchange with the body half sent closes the connection

            }
            send(ex, answer.httpStatus(), text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // The client went away, or the upstream failed: the client sees a closed connection.
        }
    }

    /** Blocks of each {@code eth_getLogs} range asked through this proxy, in order of arrival. */
    public List<Long> getLogsSpans() {
        return List.copyOf(spans);
    }

    /** {@code [fromBlock, toBlock]} of every {@code eth_getLogs} request passed on, in arrival order. */
    public List<long[]> getLogsRanges() {
        return List.copyOf(ranges);
    }

    /** JSON-RPC requests passed on (each element of a batch counts), since start. */
    public long requests() {
        return requests.get();
    }

    private void recordRanges(JsonNode request) {
        for (JsonNode r : request.isArray() ? request : List.of(request)) {
            requests.incrementAndGet();
            JsonNode filter = r.path("params").path(0);
            if (r.path("method").asText().equals("eth_getLogs") && filter.has("fromBlock") && filter.has("toBlock")) {
                spans.add(quantity(filter.get("toBlock")) - quantity(filter.get("fromBlock")) + 1);
                ranges.add(new long[] {quantity(filter.get("fromBlock")), quantity(filter.get("toBlock"))});
            }
        }
    }

    private static void send(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    /** Sends {@code requests} (an array) upstream as one batch; answers by id. */
    Map<JsonNode, ObjectNode> forward(ArrayNode requests) throws IOException, InterruptedException {
        Map<JsonNode, ObjectNode> byId = new java.util.HashMap<>();
        if (requests.isEmpty()) return byId;
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(upstream).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(requests.toString())).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answers = JsonRpcClient.JSON.readTree(r.body());
        if (!answers.isArray()) throw new IOException("upstream answered a batch with " + r.body());
        for (JsonNode a : answers) byId.put(a.get("id"), (ObjectNode) a);
        return byId;
    }

    /** One upstream call (for the lag rewriting): its result. */
    JsonNode upstream(String method, Object... params) throws IOException, InterruptedException {
        ArrayNode batch = JsonRpcClient.JSON.createArrayNode();
        ObjectNode req = batch.addObject();
        req.put("jsonrpc", "2.0").put("id", 1).put("method", method);
        req.set("params", JsonRpcClient.JSON.valueToTree(params));
        ObjectNode answer = forward(batch).get(JsonRpcClient.JSON.getNodeFactory().numberNode(1));
        if (answer == null || answer.has("error")) throw new IOException("upstream " + method + " failed: " + answer);
        return answer.get("result");
    }

    static long quantity(JsonNode n) {
        return Hex.quantity(n.asText());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        http.close();
    }

    @Override
    public String toString() {
        return "FaultProxy[" + url() + " -> " + upstream + ", injected " + injected() + "]";
    }

    static List<JsonNode> asList(JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        n.forEach(out::add);
        return out;
    }
}
