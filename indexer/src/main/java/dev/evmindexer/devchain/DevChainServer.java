package dev.evmindexer.devchain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link DevChain} over JSON-RPC 2.0 on HTTP POST, single calls and batches, one virtual
 * thread per request. Responses are streamed (chunked) so large {@code eth_getLogs} answers never
 * sit in memory whole. {@link ProviderLimits} make it answer like a hosted provider: slower for more
 * logs, refusing over a cap, hanging or cutting off oversized answers; {@link #injected()} counts those.
 */
public final class DevChainServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevChainServer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    /** Requests larger than this are refused with HTTP 413: no legitimate call needs more. */
    private static final int MAX_REQUEST_BYTES = 16 << 20;
    /**
     * A cut-off answer stops after this many bytes per log it holds: every devchain log takes more than
     * 300 bytes of JSON, so well under half of the answer gets out.
     */
    private static final long CUT_BYTES_PER_LOG = 128;

    /**
     * What the {@link ProviderLimits} injected so far: refused calls, hung and cut-off answers, and the answers
     * delayed with the latency slept for them in total (computed, not measured, so tests can compare it exactly).
     */
    public record Injected(long refusals, long hangs, long closes, long delayedAnswers, Duration latency) {}

    /**
     * One answer of a call: a result to stream (holding {@code logs} logs) or an error. {@code id} is null
     * for an unknown id.
     */
    private record Reply(JsonNode id, RpcMethods.ResultWriter result, long logs, RpcError error) {}

    /** Thrown to end an exchange without finishing its response: the connection is closed under the client. */
    private static final class DropConnection extends IOException {
        DropConnection(String why) {
            super(why, null);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final RpcMethods methods;
    private final ProviderFaults faults;
    private final URI url;

    private DevChainServer(HttpServer server, ExecutorService executor, RpcMethods methods, ProviderFaults faults) {
        this.server = server;
        this.executor = executor;
        this.methods = methods;
        this.faults = faults;
        InetSocketAddress bound = server.getAddress();
        InetAddress host = bound.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound.getAddress();
        String literal = host instanceof Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        this.url = URI.create("http://" + literal + ":" + bound.getPort() + "/");
    }

    /** Starts serving {@code chain} on {@code bind} (port 0: an ephemeral port, see {@link #url()}), without limits. */
    public static DevChainServer start(DevChain chain, InetSocketAddress bind) throws IOException {
        return start(chain, bind, ProviderLimits.NONE);
    }

    /** Starts serving {@code chain} on {@code bind}, answering within {@code limits} as a hosted provider would. */
    public static DevChainServer start(DevChain chain, InetSocketAddress bind, ProviderLimits limits) throws IOException {
        noDelay();
        ProviderFaults faults = new ProviderFaults(Objects.requireNonNull(limits, "limits"));
        HttpServer server = HttpServer.create(bind, 128);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        DevChainServer devServer = new DevChainServer(server, executor, new RpcMethods(chain, faults), faults);
        server.createContext("/", devServer::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("devchain {} serving JSON-RPC at {}{}", chain.chainId(), devServer.url,
                limits.equals(ProviderLimits.NONE) ? "" : " with " + limits);
        return devServer;
    }

    /**
     * Turns Nagle's algorithm off for the JDK's HTTP server, as HTTP servers do: with it on, a response written in
     * two parts waits for the client's delayed ACK, about 40 ms per request on Linux (measured: p50 45 ms for
     * {@code eth_blockNumber} on loopback). The JDK reads the property once, when its first server starts, so this
     * must run before any {@code HttpServer} of the process is created; an explicit setting is left alone.
     */
    public static void noDelay() {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** The URL to POST JSON-RPC to; a wildcard bind address is reported as the loopback address. */
    public URI url() {
        return url;
    }

    /** What the limits injected since the server started. */
    public Injected injected() {
        return faults.injected();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean drop = false;
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                exchange.sendResponseHeaders(405, -1);
            } else {
                byte[] body = exchange.getRequestBody().readNBytes(MAX_REQUEST_BYTES + 1);
                if (body.length > MAX_REQUEST_BYTES) {
                    exchange.sendResponseHeaders(413, -1);
                } else {
                    respond(exchange, body);
                }
            }
        } catch (DropConnection e) {
            // The exchange is left open on purpose: closing it would finish the response (the last chunk of a
            // chunked body). The JDK's server (sun.net.httpserver.ServerImpl) closes the connection of an exchange
            // whose handler throws before its response is finished, which is the fault wanted; ProviderLimitsTest
            // checks that the client sees the connection end.
            drop = true;
            throw e;
        } catch (IOException e) {
            LOG.debug("devchain request from {} failed: {}", exchange.getRemoteAddress(), e.toString());
        } catch (RuntimeException e) {
            // after the response started there is no way to report it: the client sees a cut-off body
            LOG.error("devchain failed while answering {}", exchange.getRemoteAddress(), e);
        } finally {
            if (!drop) exchange.close();
        }
    }

    private void respond(HttpExchange exchange, byte[] body) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            root = null;
        }
        List<Reply> replies = new ArrayList<>();
        boolean batch = root != null && root.isArray();
        if (root == null || root.isMissingNode()) {
            replies.add(new Reply(null, null, 0, new RpcError(RpcError.PARSE_ERROR, "parse error: the body is not JSON")));
            batch = false;
        } else if (batch && root.isEmpty()) {
            replies.add(new Reply(null, null, 0, new RpcError(RpcError.INVALID_REQUEST, "invalid request: empty batch")));
            batch = false;
        } else if (batch) {
            for (JsonNode request : root) prepare(request, replies);
        } else {
            prepare(root, replies);
        }
        long logs = 0;
        for (Reply reply : replies) logs += reply.logs();
        // an oversized answer gets its fault instead of the latency; any other answer is delayed first
        ProviderLimits limits = faults.limits();
        boolean oversized = limits.oversized(logs);
        boolean cut = oversized && limits.oversizeMode() == ProviderLimits.OversizeMode.CLOSE;
        if (oversized && !cut) {
            faults.hanging();
            sleep(limits.hang());
            throw new DropConnection("hung on an answer of " + logs + " logs or more");
        }
        if (cut) faults.closing(); else sleep(faults.delay(logs));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (replies.isEmpty()) { // only notifications: JSON-RPC answers nothing
            exchange.sendResponseHeaders(204, -1);
            return;
        }
        exchange.sendResponseHeaders(200, 0);
        OutputStream target = exchange.getResponseBody();
        if (cut) target = new CutOffStream(target, CUT_BYTES_PER_LOG * logs);
        try (OutputStream out = new BufferedOutputStream(target, 1 << 16);
                JsonGenerator g = FACTORY.createGenerator(out)) {
            RpcJson json = new RpcJson(g);
            if (batch) g.writeStartArray();
            for (Reply reply : replies) write(reply, json, g);
            if (batch) g.writeEndArray();
        }
    }

    /** Sleeps {@code d} on this request's virtual thread; a server shutting down interrupts it and drops the answer. */
    private static void sleep(Duration d) throws DropConnection {
        if (d.isZero()) return;
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DropConnection("interrupted while delaying an answer");
        }
    }

    /** Validates one request and adds its reply; notifications (no {@code id}) get none. */
    private void prepare(JsonNode request, List<Reply> replies) {
        if (!request.isObject()) {
            replies.add(new Reply(null, null, 0, new RpcError(RpcError.INVALID_REQUEST, "invalid request: not an object")));
            return;
        }
        JsonNode id = request.get("id");
        if (id != null && !id.isNull() && !id.isNumber() && !id.isTextual()) {
            replies.add(new Reply(null, null, 0, new RpcError(RpcError.INVALID_REQUEST, "invalid request: id must be a number, a string or null")));
            return;
        }
        JsonNode method = request.get("method");
        JsonNode version = request.get("jsonrpc");
        if (version == null || !"2.0".equals(version.asText()) || method == null || !method.isTextual()) {
            replies.add(new Reply(id, null, 0, new RpcError(RpcError.INVALID_REQUEST,
                    "invalid request: needs \"jsonrpc\": \"2.0\" and a string \"method\"")));
            return;
        }
        Reply reply;
        try {
            RpcMethods.Answer answer = methods.call(method.asText(), request.get("params"));
            reply = new Reply(id, answer.writer(), answer.logs(), null);
        } catch (RpcError e) {
            reply = new Reply(id, null, 0, e);
        } catch (RuntimeException e) {
            LOG.error("devchain failed to answer {}", method.asText(), e);
            reply = new Reply(id, null, 0, new RpcError(RpcError.INTERNAL_ERROR, "internal error: " + e));
        }
        if (id != null) replies.add(reply);
    }

    private static void write(Reply reply, RpcJson json, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("jsonrpc", "2.0");
        g.writeFieldName("id");
        if (reply.id() == null) g.writeNull(); else g.writeTree(reply.id()); // echoed as sent
        if (reply.error() != null) {
            g.writeFieldName("error");
            g.writeStartObject();
            g.writeNumberField("code", reply.error().code);
            g.writeStringField("message", reply.error().getMessage());
            g.writeEndObject();
        } else {
            g.writeFieldName("result");
            reply.result().write(json, g);
        }
        g.writeEndObject();
    }

    /**
     * Passes the first {@code limit} bytes to the client, flushed so they reach the socket, then fails
     * every write with {@link DropConnection}. Closing it after the cut leaves the target open, so the
     * response is never finished.
     */
    private static final class CutOffStream extends FilterOutputStream {
        private long left;
        private boolean cut;

        CutOffStream(OutputStream target, long limit) {
            super(target);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!cut && len < left) {
                out.write(b, off, len);
                left -= len;
                return;
            }
            if (!cut) {
                out.write(b, off, (int) left);
                out.flush();
                cut = true;
            }
            throw new DropConnection("cut off an oversized answer");
        }

        @Override
        public void close() throws IOException {
            if (!cut) out.close();
        }
    }
}
