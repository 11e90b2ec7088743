package dev.evmindexer.devchain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link DevChain} over JSON-RPC 2.0 on HTTP POST, single calls and batches, one virtual
 * thread per request. Responses are streamed (chunked) so large {@code eth_getLogs} answers never
 * sit in memory whole.
 */
public final class DevChainServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevChainServer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    /** Requests larger than this are refused with HTTP 413: no legitimate call needs more. */
    private static final int MAX_REQUEST_BYTES = 16 << 20;

    /** One answer of a call: a result to stream or an error. {@code id} is null for an unknown id. */
    private record Reply(JsonNode id, RpcMethods.ResultWriter result, RpcError error) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final RpcMethods methods;
    private final URI url;

    private DevChainServer(HttpServer server, ExecutorService executor, RpcMethods methods) {
        this.server = server;
        this.executor = executor;
        this.methods = methods;
        InetSocketAddress bound = server.getAddress();
        InetAddress host = bound.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound.getAddress();
        String literal = host instanceof Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        this.url = URI.create("http://" + literal + ":" + bound.getPort() + "/");
    }

    /** Starts serving {@code chain} on {@code bind} (port 0: an ephemeral port, see {@link #url()}). */
    public static DevChainServer start(DevChain chain, InetSocketAddress bind) throws IOException {
        noDelay();
        HttpServer server = HttpServer.create(bind, 128);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        DevChainServer devServer = new DevChainServer(server, executor, new RpcMethods(chain));
        server.createContext("/", devServer::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("devchain {} serving JSON-RPC at {}", chain.chainId(), devServer.url);
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

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = exchange.getRequestBody().readNBytes(MAX_REQUEST_BYTES + 1);
            if (body.length > MAX_REQUEST_BYTES) {
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            respond(exchange, body);
        } catch (IOException e) {
            LOG.debug("devchain request from {} failed: {}", exchange.getRemoteAddress(), e.toString());
        } catch (RuntimeException e) {
            // after the response started there is no way to report it: the client sees a cut-off body
            LOG.error("devchain failed while answering {}", exchange.getRemoteAddress(), e);
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
            replies.add(new Reply(null, null, new RpcError(RpcError.PARSE_ERROR, "parse error: the body is not JSON")));
            batch = false;
        } else if (batch && root.isEmpty()) {
            replies.add(new Reply(null, null, new RpcError(RpcError.INVALID_REQUEST, "invalid request: empty batch")));
            batch = false;
        } else if (batch) {
            for (JsonNode request : root) prepare(request, replies);
        } else {
            prepare(root, replies);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (replies.isEmpty()) { // only notifications: JSON-RPC answers nothing
            exchange.sendResponseHeaders(204, -1);
            return;
        }
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), 1 << 16);
                JsonGenerator g = FACTORY.createGenerator(out)) {
            RpcJson json = new RpcJson(g);
            if (batch) g.writeStartArray();
            for (Reply reply : replies) write(reply, json, g);
            if (batch) g.writeEndArray();
        }
    }

    /** Validates one request and adds its reply; notifications (no {@code id}) get none. */
    private void prepare(JsonNode request, List<Reply> replies) {
        if (!request.isObject()) {
            replies.add(new Reply(null, null, new RpcError(RpcError.INVALID_REQUEST, "invalid request: not an object")));
            return;
        }
        JsonNode id = request.get("id");
        if (id != null && !id.isNull() && !id.isNumber() && !id.isTextual()) {
            replies.add(new Reply(null, null, new RpcError(RpcError.INVALID_REQUEST, "invalid request: id must be a number, a string or null")));
            return;
        }
        JsonNode method = request.get("method");
        JsonNode version = request.get("jsonrpc");
        if (version == null || !"2.0".equals(version.asText()) || method == null || !method.isTextual()) {
            replies.add(new Reply(id, null, new RpcError(RpcError.INVALID_REQUEST,
                    "invalid request: needs \"jsonrpc\": \"2.0\" and a string \"method\"")));
            return;
        }
        Reply reply;
        try {
            reply = new Reply(id, methods.call(method.asText(), request.get("params")), null);
        } catch (RpcError e) {
            reply = new Reply(id, null, e);
        } catch (RuntimeException e) {
            LOG.error("devchain failed to answer {}", method.asText(), e);
            reply = new Reply(id, null, new RpcError(RpcError.INTERNAL_ERROR, "internal error: " + e));
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
}
