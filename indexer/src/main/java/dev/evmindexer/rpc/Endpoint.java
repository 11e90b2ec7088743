package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/**
 * One JSON-RPC endpoint: its transport (web3j over OkHttp, with the spec's timeouts) and its health. Sends
 * single requests and batches and returns raw JSON results; all checking of their content is the caller's.
 * Transport problems and malformed envelopes become {@link RpcFault}s with messages that name the endpoint by
 * its redacted URL only. Thread-safe.
 */
final class Endpoint implements AutoCloseable {
    /** web3j deserialises each answer's {@code result} into a tree, leaving every check to us. */
    public static final class RawResponse extends Response<JsonNode> {}

    private static final int MAX_DETAIL = 300;

    private final EndpointSpec spec;
    private final String name;
    private final OkHttpClient http;
    private final HttpService service;
    private final Web3j web3j;
    private final EndpointHealth health;
    private volatile RpcObserver observer = RpcObserver.NONE;

    Endpoint(EndpointSpec spec, OkHttpClient shared, EndpointHealth health) {
        this.spec = spec;
        this.name = spec.redacted();
        this.http = shared.newBuilder()
                .connectTimeout(spec.timeout())
                .readTimeout(spec.timeout())
                .writeTimeout(spec.timeout())
                .callTimeout(spec.timeout())
                .build();
        this.service = new HttpService(spec.url(), http);
        this.web3j = Web3j.build(service);
        this.health = health;
    }

    EndpointSpec spec() {
        return spec;
    }

    /** The redacted URL: the only way an endpoint is ever named in logs and messages. */
    String name() {
        return name;
    }

    EndpointHealth health() {
        return health;
    }

    void observe(RpcObserver observer) {
        this.observer = observer;
    }

    /** A request to send; {@code params} are plain Java values (String, Boolean, Map, List) serialised as JSON. */
    record Call(String method, List<Object> params) {
        static Call of(String method, Object... params) {
            return new Call(method, List.of(params));
        }
    }

    /** Sends one request and returns its answer (which may be an error answer). */
    RpcResult send(Call call) {
        Request<Object, RawResponse> request = request(call);
        long start = System.nanoTime();
        boolean failed = true;
        try {
            RawResponse response = request.send();
            if (response == null) throw new RpcFault(name + " gave an empty answer to " + call.method());
            RpcResult result = toResult(call.method(), response);
            failed = result.isError();
            return result;
        } catch (IOException | RuntimeException e) {
            throw fault(e, call.method());
        } finally {
            observer.completed(name, call.method(), System.nanoTime() - start, failed);
        }
    }

    /**
     * Sends {@code calls} as one JSON-RPC batch and returns their answers in the order of {@code calls}, whatever
     * order the node answered in (matched by id). A missing, duplicate or unknown id is a fault.
     */
    List<RpcResult> batch(List<Call> calls) {
        if (calls.isEmpty()) return List.of();
        if (calls.size() > spec.maxBatch()) {
            throw new IllegalArgumentException("batch of " + calls.size() + " exceeds maxBatch " + spec.maxBatch()
                    + " of " + name);
        }
        BatchRequest batch = web3j.newBatch();
        Map<Long, Integer> positionById = new HashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            Request<Object, RawResponse> r = request(calls.get(i));
            positionById.put(r.getId(), i);
            batch.add(r);
        }
        String what = "batch of " + calls.size() + " starting with " + calls.get(0).method();
        BatchResponse response;
        long start = System.nanoTime();
        try {
            response = batch.send();
        } catch (IOException | RuntimeException e) {
            observer.completed(name, "batch", System.nanoTime() - start, true);
            // Includes a ClassCastException from web3j when the node answers a batch with a single object.
            throw fault(e, what);
        }
        observer.completed(name, "batch", System.nanoTime() - start, response == null || response.getResponses() == null);
        if (response == null || response.getResponses() == null) throw new RpcFault(name + " gave no answer to " + what);
        List<? extends Response<?>> responses = response.getResponses();
        if (responses.size() != calls.size()) {
            throw new RpcFault(name + " answered " + responses.size() + " of the " + what);
        }
        RpcResult[] ordered = new RpcResult[calls.size()];
        for (Response<?> r : responses) {
            Integer pos = positionById.get(r.getId());
            if (pos == null || ordered[pos] != null) {
                throw new RpcFault(name + " answered the " + what + " with an unknown or repeated id " + r.getId());
            }
            ordered[pos] = toResult(calls.get(pos).method(), (RawResponse) r);
        }
        return List.of(ordered);
    }

    private Request<Object, RawResponse> request(Call call) {
        return new Request<>(call.method(), new ArrayList<>(call.params()), service, RawResponse.class);
    }

    private RpcResult toResult(String method, RawResponse r) {
        if (r.hasError()) return RpcResult.error(name, method, r.getError().getCode(), r.getError().getMessage());
        return RpcResult.ok(name, method, r.getResult());
    }

    /** A transport failure as a fault whose message names the endpoint redacted and never holds its URL. */
    private RpcFault fault(Exception e, String what) {
        if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
            return new RpcFault(name + " call " + what + " interrupted");
        }
        String detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + scrub(e.getMessage()));
        return new RpcFault(name + " failed " + what + ": " + detail);
    }

    /** Removes the URL (and its path, where keys live) from a third-party message, and shortens it. */
    private String scrub(String message) {
        String m = message.replace(spec.url(), name);
        try {
            String path = java.net.URI.create(spec.url().trim()).getRawPath();
            if (path != null && path.length() > 1) m = m.replace(path, "/…");
        } catch (IllegalArgumentException ignored) {
            // EndpointSpec already validated the URL; nothing more to hide.
        }
        return m.length() > MAX_DETAIL ? m.substring(0, MAX_DETAIL) + "..." : m;
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException ignored) {
            // Closing a client: nothing useful to do about a failure.
        }
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return name;
    }
}
