package dev.evmindexer.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal JSON-RPC 2.0 client over the JDK's HttpClient, for tests that talk to a node directly (the
 * indexer's own client lives in {@code rpc}). Parameters are serialised by Jackson; {@link Address} and
 * {@link Hash} become their hex strings. A JSON-RPC error becomes an {@link RpcException}.
 */
public final class JsonRpcClient {
    /** Shared mapper that knows the {@code eth} value types. */
    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule("eth-hex")
            .addSerializer(Address.class, ToStringSerializer.instance)
            .addSerializer(Hash.class, ToStringSerializer.instance));

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final URI uri;
    private final HttpClient http;
    private final AtomicLong ids = new AtomicLong();

    public JsonRpcClient(URI uri) {
        this.uri = uri;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public URI uri() {
        return uri;
    }

    /** Calls {@code method} and returns its {@code result} ({@link NullNode} for a JSON null). */
    public JsonNode call(String method, Object... params) {
        return call(DEFAULT_TIMEOUT, method, params);
    }

    /** As {@link #call(String, Object...)}, with its own timeout (short ones poll a starting node). */
    public JsonNode call(Duration timeout, String method, Object... params) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", ids.incrementAndGet());
        request.put("method", method);
        request.set("params", JSON.valueToTree(Arrays.asList(params)));
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri)
                            .timeout(timeout)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("calling " + method + " at " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted calling " + method + " at " + uri, e);
        }
        return parse(method, response.statusCode(), response.body());
    }

    private JsonNode parse(String method, int status, String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(method + " at " + uri + ": HTTP " + status + " with a body that is not JSON: "
                    + abbreviate(body), e);
        }
        JsonNode error = root.get("error");
        if (error != null && !error.isNull()) {
            throw new RpcException(method, error.path("code").asInt(), error.path("message").asText(),
                    error.get("data"));
        }
        if (status != 200 || !root.has("result")) {
            throw new IllegalStateException(method + " at " + uri + ": HTTP " + status + " without a result: "
                    + abbreviate(body));
        }
        return root.get("result");
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 297) + "...";
    }

    /** A JSON-RPC error answer: the node understood the call and refused it. */
    public static final class RpcException extends RuntimeException {
        private final String method;
        private final int code;
        private final JsonNode data;

        public RpcException(String method, int code, String message, JsonNode data) {
            super(method + " failed: " + message + " (code " + code + (data == null ? "" : ", data " + data) + ")");
            this.method = method;
            this.code = code;
            this.data = data;
        }

        public String method() {
            return method;
        }

        public int code() {
            return code;
        }

        /** The error's {@code data} member, or null. */
        public JsonNode data() {
            return data;
        }
    }
}
