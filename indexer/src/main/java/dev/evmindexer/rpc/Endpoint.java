package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import okhttp3.OkHttpClient;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/**
 * One JSON-RPC endpoint: its transport (web3j over OkHttp, with the spec's timeouts), its limits (a concurrency
 * cap and an {@link AdaptiveRate}), its adaptive batch size and {@code eth_getLogs} range, its latencies and
 * health. Sends requests and returns raw JSON results; checking their content is the caller's. Transport problems,
 * throttling and malformed envelopes become {@link RpcFault}s of the matching kind, with messages that name the
 * endpoint by its redacted URL only. Thread-safe.
 */
final class Endpoint implements AutoCloseable {
    /** web3j deserialises each answer's {@code result} into a tree, leaving every check to us. */
    public static final class RawResponse extends Response<JsonNode> {}

    /** Addresses per {@code eth_getLogs} at first: Infura allows 5,000 parameters per request, others fewer. */
    static final int MAX_ADDRESSES_PER_QUERY = 1000;

    private final EndpointSpec spec;
    private final String name;
    private final OkHttpClient http;
    private final Transport service;
    private final java.util.concurrent.atomic.AtomicLong nextId = new java.util.concurrent.atomic.AtomicLong();
    private static final com.fasterxml.jackson.databind.ObjectMapper PAYLOAD = new com.fasterxml.jackson.databind.ObjectMapper();
    private final Web3j web3j;
    private final EndpointHealth health;
    private final LongSupplier nanoClock;
    private final Semaphore inFlight;
    private final AdaptiveRate rate;
    private final AdaptiveSize batchSize;
    private final AdaptiveSize blockRange;
    private final AdaptiveSize addressesPerQuery;
    private final LatencyWindow latency = new LatencyWindow();
    private final EndpointMetrics metrics;
    private volatile RpcObserver observer = RpcObserver.NONE;

    Endpoint(EndpointSpec spec, OkHttpClient shared, EndpointHealth health, LongSupplier nanoClock) {
        this.spec = spec;
        this.name = spec.redacted();
        this.http = shared.newBuilder()
                .connectTimeout(spec.timeout())
                .readTimeout(spec.timeout())
                .writeTimeout(spec.timeout())
                .callTimeout(spec.timeout())
                .build();
        this.service = new Transport(spec.url(), http);
        this.web3j = Web3j.build(service);
        this.health = health;
        this.nanoClock = nanoClock;
        this.inFlight = new Semaphore(spec.maxConcurrency(), true);
        this.rate = new AdaptiveRate(spec.maxRps(), nanoClock);
        this.batchSize = new AdaptiveSize(spec.maxBatch(), true);
        this.blockRange = new AdaptiveSize(spec.maxBlockRange(), false);
        this.addressesPerQuery = new AdaptiveSize(MAX_ADDRESSES_PER_QUERY, true);
        this.metrics = new EndpointMetrics(this);
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

    AdaptiveRate rate() {
        return rate;
    }

    AdaptiveSize batchSize() {
        return batchSize;
    }

    AdaptiveSize blockRange() {
        return blockRange;
    }

    /** Most contract addresses in one {@code eth_getLogs}: longer lists are split (halved on a provider's refusal). */
    AdaptiveSize addressesPerQuery() {
        return addressesPerQuery;
    }

    LatencyWindow latency() {
        return latency;
    }

    EndpointMetrics metrics() {
        return metrics;
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
        RawResponse response;
        try {
            response = exchange(call.method(), () -> {
                try {
                    return request.send();
                } catch (IOException e) {
                    throw new TransportException(e);
                }
            });
        } catch (WholeAnswerError e) {
            return RpcResult.error(name, call.method(), e.code, e.message);
        }
        if (response == null) throw new RpcFault(RpcFault.Kind.ERROR_ANSWER, name + " gave an empty answer to " + call.method());
        return toResult(call.method(), response);
    }

    /**
     * Sends {@code calls} and returns their answers in the order of {@code calls}: in JSON-RPC batches of the current
     * batch size, or one by one where the endpoint refuses batches. A refused batch halves the size (for good: a
     * provider's batch limit does not move) and is sent again, smaller.
     */
    List<RpcResult> calls(List<Call> calls) {
        List<RpcResult> out = new ArrayList<>(calls.size());
        int i = 0;
        while (i < calls.size()) {
            int size = (int) Math.min(batchSize.get(), calls.size() - i);
            List<Call> part = calls.subList(i, i + size);
            if (size == 1) {
                out.add(send(part.get(0)));
            } else {
                try {
                    out.addAll(batch(part));
                    batchSize.succeeded(size);
                } catch (RpcFault f) {
                    if (f.kind() != RpcFault.Kind.BATCH_REJECTED) throw f;
                    metrics.error(RpcFault.Kind.BATCH_REJECTED);
                    batchSize.halve(size);
                    continue;
                }
            }
            i += size;
        }
        return out;
    }

    /**
     * Sends {@code calls} as one JSON-RPC batch; answers are matched by id. A missing, duplicate or unknown id is a
     * fault; a single error object for the whole batch is either a refusal of batches ({@link
     * RpcFault.Kind#BATCH_REJECTED}), throttling, or given to every call as its answer (e.g. a range error sent
     * with an HTTP error status).
     */
    private List<RpcResult> batch(List<Call> calls) {
        Map<Long, Integer> positionById = new HashMap<>();
        List<Map<String, Object>> payload = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            long id = nextId.incrementAndGet();
            positionById.put(id, i);
            payload.add(Map.of("jsonrpc", "2.0", "id", id, "method", calls.get(i).method(), "params", calls.get(i).params()));
        }
        String what = "batch of " + calls.size() + " starting with " + calls.get(0).method();
        Object[] answers;
        try {
            String body = PAYLOAD.writeValueAsString(payload);
            answers = exchange(what, () -> {
                try (java.io.InputStream in = service.post(body)) {
                    return StreamingAnswers.parse(in, positionById, this);
                } catch (IOException e) {
                    throw new TransportException(e);
                }
            });
        } catch (WholeAnswerError e) {
            List<RpcResult> same = new ArrayList<>(calls.size());
            for (Call c : calls) same.add(RpcResult.error(name, c.method(), e.code, e.message));
            return same;
        } catch (StreamingAnswers.NotABatch e) {
            throw new RpcFault(RpcFault.Kind.BATCH_REJECTED, name + " answered the " + what + " with a single object");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON of " + what, e);
        }
        RpcResult[] ordered = new RpcResult[calls.size()];
        for (int i = 0; i < ordered.length; i++) {
            if (!(answers[i] instanceof StreamingAnswers.Answer a)) {
                throw new RpcFault(RpcFault.Kind.ERROR_ANSWER, name + " left call " + (i + 1) + " of the " + what + " unanswered");
            }
            ordered[i] = toResult(calls.get(i).method(), a);
        }
        if (calls.size() > 1 && allErrorsMention(ordered, "batch")) {
            throw new RpcFault(RpcFault.Kind.BATCH_REJECTED, ordered[0].describeError());
        }
        return List.of(ordered);
    }

    /** A streamed answer as a result; an error answer that says "rate limited" is a throttling fault instead. */
    private RpcResult toResult(String method, StreamingAnswers.Answer a) {
        if (a.errorMessage() == null) {
            return a.logs() != null ? RpcResult.logs(name, method, a.logs()) : RpcResult.ok(name, method, a.result());
        }
        if (HttpErrors.isRateLimit(a.errorMessage())) {
            rate.throttled();
            throw fault(RpcFault.Kind.RATE_LIMITED, name + " throttled " + method + ": " + a.errorCode() + " " + a.errorMessage());
        }
        return RpcResult.error(name, method, a.errorCode(), a.errorMessage());
    }

    /** web3j's HTTP transport (headers, status handling) with the raw answer exposed for streaming parsing. */
    private static final class Transport extends HttpService {
        Transport(String url, OkHttpClient client) {
            super(url, client);
        }

        java.io.InputStream post(String payload) throws IOException {
            return performIO(payload);
        }
    }

    private interface Io<T> {
        T run();
    }

    /** An {@link IOException} carried out of a lambda. */
    private static final class TransportException extends RuntimeException {
        TransportException(IOException cause) {
            super(cause);
        }
    }

    /** The endpoint answered the whole request with one JSON-RPC error object (with an HTTP error status). */
    private static final class WholeAnswerError extends RuntimeException {
        final int code;
        final String message;

        WholeAnswerError(int code, String message) {
            super(message, null, false, false);
            this.code = code;
            this.message = message;
        }
    }

    /**
     * Runs one HTTP exchange within the endpoint's limits: waits for a concurrency slot and a rate token, times the
     * answer, counts it, and turns transport failures into faults of the matching kind (throttling also cuts the
     * rate). An HTTP error status whose body is one JSON-RPC error becomes a {@link WholeAnswerError}.
     */
    private <T> T exchange(String what, Io<T> io) {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcFault(RpcFault.Kind.TRANSPORT, name + " call " + what + " interrupted");
        }
        try {
            sleepNanos(rate.reserveNanos(), what);
            metrics.request();
            long start = nanoClock.getAsLong();
            T result;
            try {
                result = io.run();
            } catch (TransportException e) {
                observer.completed(name, method(what), nanoClock.getAsLong() - start, true);
                throw classify((IOException) e.getCause(), what);
            } catch (RuntimeException e) {
                observer.completed(name, method(what), nanoClock.getAsLong() - start, true);
                if (e instanceof StreamingAnswers.NotABatch || e instanceof RpcFault) throw e;
                throw classify(e, what);
            }
            latency.record(nanoClock.getAsLong() - start);
            observer.completed(name, method(what), nanoClock.getAsLong() - start, false);
            rate.succeeded();
            return result;
        } finally {
            inFlight.release();
        }
    }

    /** Reports every exchange to {@code observer} (metrics); error answers inside a 200 count as successes here. */
    void observe(RpcObserver observer) {
        this.observer = observer;
    }

    /** The JSON-RPC method of a call, or {@code batch}, for a bounded metrics tag. */
    private static String method(String what) {
        return what.startsWith("batch") ? "batch" : what;
    }

    private RuntimeException classify(Exception e, String what) {
        if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
            return new RpcFault(RpcFault.Kind.TRANSPORT, name + " call " + what + " interrupted");
        }
        HttpErrors.Status status = HttpErrors.status(e);
        if (status != null) {
            if (status.code() == 429 || HttpErrors.isRateLimit(status.message())) {
                rate.throttled();
                return fault(RpcFault.Kind.RATE_LIMITED, name + " throttled " + what + ": HTTP " + status.code() + " "
                        + HttpErrors.scrub(status.body(), spec.url(), name));
            }
            if (status.message() != null) {
                if (HttpErrors.isBatchRefusal(status.message()) && what.startsWith("batch")) {
                    return fault(RpcFault.Kind.BATCH_REJECTED, name + " refused the " + what + ": HTTP " + status.code()
                            + " " + HttpErrors.scrub(status.message(), spec.url(), name));
                }
                return new WholeAnswerError(status.rpcCode(), "HTTP " + status.code() + ": " + status.message());
            }
            return fault(RpcFault.Kind.TRANSPORT, name + " failed " + what + ": HTTP " + status.code() + " "
                    + HttpErrors.scrub(status.body(), spec.url(), name));
        }
        RpcFault.Kind kind = HttpErrors.isTimeout(e) ? RpcFault.Kind.TIMEOUT
                : e instanceof com.fasterxml.jackson.core.JsonProcessingException ? RpcFault.Kind.ERROR_ANSWER
                : RpcFault.Kind.TRANSPORT;
        String detail = e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + HttpErrors.scrub(e.getMessage(), spec.url(), name));
        return fault(kind, name + " failed " + what + ": " + detail);
    }

    private RpcFault fault(RpcFault.Kind kind, String message) {
        return new RpcFault(kind, message);
    }

    private Request<Object, RawResponse> request(Call call) {
        return new Request<>(call.method(), new ArrayList<>(call.params()), service, RawResponse.class);
    }

    /** An answer as a result; an error answer that says "rate limited" is a throttling fault instead. */
    private RpcResult toResult(String method, RawResponse r) {
        if (!r.hasError()) return RpcResult.ok(name, method, r.getResult());
        Response.Error e = r.getError();
        String message = e.getMessage() == null ? "(no message)" : e.getMessage();
        if (e.getData() != null && !e.getData().isBlank()) message += " (data: " + e.getData() + ")";
        if (HttpErrors.isRateLimit(message)) {
            rate.throttled();
            throw fault(RpcFault.Kind.RATE_LIMITED, name + " throttled " + method + ": " + e.getCode() + " " + message);
        }
        return RpcResult.error(name, method, e.getCode(), message);
    }

    private static boolean allErrorsMention(RpcResult[] results, String word) {
        for (RpcResult r : results) {
            if (!r.isError() || !r.errorMessage().toLowerCase(java.util.Locale.ROOT).contains(word)) return false;
        }
        return true;
    }

    private void sleepNanos(long nanos, String what) {
        if (nanos <= 0) return;
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcFault(RpcFault.Kind.TRANSPORT, name + " call " + what + " interrupted while rate limited");
        }
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
