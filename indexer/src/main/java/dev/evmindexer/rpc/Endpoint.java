package dev.evmindexer.rpc;

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

/**
 * One JSON-RPC endpoint: its transport (OkHttp, with the spec's timeouts; answers parsed as they stream in), its limits (a concurrency
 * cap and an {@link AdaptiveRate}), its adaptive batch size and {@code eth_getLogs} range, its latencies and
 * health. Sends requests and returns raw JSON results; checking their content is the caller's. Transport problems,
 * throttling and malformed envelopes become {@link RpcFault}s of the matching kind, with messages that name the
 * endpoint by its redacted URL only. Thread-safe.
 */
final class Endpoint implements AutoCloseable {
    /** Addresses per {@code eth_getLogs} at first: Infura allows 5,000 parameters per request, others fewer. */
    static final int MAX_ADDRESSES_PER_QUERY = 1000;

    private final EndpointSpec spec;
    private final String name;
    private final OkHttpClient http;
    private final Transport service;
    private final java.util.concurrent.atomic.AtomicLong nextId = new java.util.concurrent.atomic.AtomicLong();
    private static final com.fasterxml.jackson.databind.ObjectMapper PAYLOAD = new com.fasterxml.jackson.databind.ObjectMapper();
    private final EndpointHealth health;
    private final LongSupplier nanoClock;
    private final Semaphore inFlight;
    private final AdaptiveRate rate;
    private final AdaptiveSize batchSize;
    private final java.util.concurrent.ConcurrentHashMap<dev.evmindexer.pipeline.LogFilter, LogRange> logRanges =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Blocks of the latest {@code eth_getLogs} range chosen, for the metrics. */
    private final java.util.concurrent.atomic.AtomicLong lastRange = new java.util.concurrent.atomic.AtomicLong();
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
        this.health = health;
        this.nanoClock = nanoClock;
        this.inFlight = new Semaphore(spec.maxConcurrency(), true);
        this.rate = new AdaptiveRate(spec.maxRps(), nanoClock);
        this.batchSize = new AdaptiveSize(spec.maxBatch());
        this.lastRange.set(LogRange.START_BLOCKS);
        this.addressesPerQuery = new AdaptiveSize(MAX_ADDRESSES_PER_QUERY);
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

    /** The volume-driven {@code eth_getLogs} range of this endpoint for {@code filter}. */
    LogRange logRange(dev.evmindexer.pipeline.LogFilter filter) {
        return logRanges.computeIfAbsent(filter, f -> new LogRange(spec.maxBlockRange(), spec.logsPerCall(), spec.timeout()));
    }

    /** Notes the blocks of the range about to be asked for (shown by the metrics). */
    void rangeChosen(long blocks) {
        lastRange.set(blocks);
    }

    /** Blocks of the latest {@code eth_getLogs} range asked for. */
    long lastRange() {
        return lastRange.get();
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

    static final String GET_LOGS = "eth_getLogs";
    static final String GET_BLOCK_RECEIPTS = "eth_getBlockReceipts";

    /** A request to send; {@code params} are plain Java values (String, Boolean, Map, List) serialised as JSON. */
    record Call(String method, List<Object> params) {
        static Call of(String method, Object... params) {
            return new Call(method, List.of(params));
        }
    }

    /** Sends one request and returns its answer (which may be an error answer). */
    RpcResult send(Call call) {
        return send(call, StreamingAnswers.Limits.NONE);
    }

    /** Sends one request, reading its answer as it streams in within {@code limits}. */
    RpcResult send(Call call, StreamingAnswers.Limits limits) {
        String body;
        try {
            body = PAYLOAD.writeValueAsString(Map.of("jsonrpc", "2.0", "id", nextId.incrementAndGet(),
                    "method", call.method(), "params", call.params()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON of " + call.method(), e);
        }
        StreamingAnswers.Answer answer;
        try {
            boolean logs = call.method().equals(GET_LOGS);
            answer = exchange(call.method(), () -> streamed(body, in -> StreamingAnswers.parseOne(in, this, limits, logs)));
        } catch (WholeAnswerError e) {
            return RpcResult.error(name, call.method(), e.code, e.message);
        }
        return toResult(call.method(), answer);
    }

    /**
     * Sends {@code calls} and returns their answers in the order of {@code calls}: in JSON-RPC batches of the current
     * batch size, or one by one where the endpoint refuses batches. A refused batch halves the size (for good: a
     * provider's batch limit does not move) and is sent again, smaller.
     */
    List<RpcResult> calls(List<Call> calls) {
        return calls(calls, StreamingAnswers.Limits.NONE);
    }

    /** As {@link #calls(List)}, each answer read as it streams in within {@code limits}. */
    List<RpcResult> calls(List<Call> calls, StreamingAnswers.Limits limits) {
        List<RpcResult> out = new ArrayList<>(calls.size());
        int i = 0;
        while (i < calls.size()) {
            int size = (int) Math.min(batchSize.get(), calls.size() - i);
            List<Call> part = calls.subList(i, i + size);
            if (size == 1) {
                out.add(send(part.get(0), limits));
            } else {
                try {
                    out.addAll(batch(part, limits));
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
    private List<RpcResult> batch(List<Call> calls, StreamingAnswers.Limits limits) {
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
            boolean logs = arraysAreLogs(calls);
            answers = exchange(what, () -> streamed(body, in -> StreamingAnswers.parse(in, positionById, this, limits, logs)));
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

    /**
     * Whether the array results of a batch are {@code eth_getLogs} logs (read as they stream in) rather than trees: a
     * batch mixing {@code eth_getLogs} with another method that answers an array is refused.
     */
    private static boolean arraysAreLogs(List<Call> calls) {
        boolean logs = calls.stream().anyMatch(c -> c.method().equals(GET_LOGS));
        if (logs && calls.stream().anyMatch(c -> c.method().equals(GET_BLOCK_RECEIPTS))) {
            throw new IllegalArgumentException("eth_getLogs and eth_getBlockReceipts cannot share a batch");
        }
        return logs;
    }

    /** A streamed answer as a result; an error answer that says "rate limited" is a throttling fault instead. */
    private RpcResult toResult(String method, StreamingAnswers.Answer a) {
        if (a.errorMessage() == null) {
            return a.logs() != null ? RpcResult.logs(name, method, a.logs()) : RpcResult.ok(name, method, a.result());
        }
        if (HttpErrors.isRateLimit(a.errorMessage())) {
            rate.throttled();
            throw new RpcFault(RpcFault.Kind.RATE_LIMITED, name + " throttled " + method + ": " + a.errorCode() + " " + a.errorMessage());
        }
        return RpcResult.error(name, method, a.errorCode(), a.errorMessage());
    }

    /**
     * Posts {@code body} and hands the answer to {@code reader} as it arrives from the socket (never read whole into
     * memory first). An IOException once the answer has begun means it was cut off ({@link RpcFault.Kind#CUT_OFF}),
     * unless it is the call's timeout.
     */
    private <T> T streamed(String body, AnswerReader<T> reader) {
        java.io.InputStream in;
        try {
            in = service.post(body);
        } catch (IOException e) {
            throw new TransportException(e);
        }
        AnswerPrefix answer = new AnswerPrefix(in);
        try (answer) {
            return reader.read(answer);
        } catch (RpcFault f) {
            // not JSON-RPC at all (an HTML page, plain text): say what came instead, so the operator sees the proxy's
            // or provider's own words (the URL's path, where keys live, scrubbed as in every message)
            if (f.getClass() != RpcFault.class || answer.looksLikeJson()) throw f;
            throw new RpcFault(f.kind(), f.getMessage() + "; its answer began " + HttpErrors.scrub(answer.shown(), spec.url(), name));
        } catch (IOException e) {
            if (HttpErrors.isTimeout(e)) throw new TransportException(e);
            throw new RpcFault(RpcFault.Kind.CUT_OFF, name + " cut its answer off mid-way (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + HttpErrors.scrub(e.getMessage(), spec.url(), name)) + ")");
        }
    }

    private interface AnswerReader<T> {
        T read(java.io.InputStream in) throws IOException;
    }

    /**
     * JSON-RPC over HTTP POST with OkHttp, the answer's body handed over as a stream. An HTTP error status becomes
     * {@link HttpErrors.StatusException} carrying the status and the body, which {@link HttpErrors#status} reads.
     */
    private static final class Transport {
        private static final okhttp3.MediaType JSON = okhttp3.MediaType.get("application/json; charset=utf-8");
        private final String url;
        private final OkHttpClient client;

        Transport(String url, OkHttpClient client) {
            this.url = url;
            this.client = client;
        }

        /** The answer's body, open: closing the stream ends the exchange. */
        java.io.InputStream post(String payload) throws IOException {
            okhttp3.Request request = new okhttp3.Request.Builder().url(url)
                    .post(okhttp3.RequestBody.create(payload, JSON)).build();
            okhttp3.Response response = client.newCall(request).execute();
            okhttp3.ResponseBody body = response.body();
            if (!response.isSuccessful() || body == null) {
                try (response) {
                    String text = body == null ? "" : body.string();
                    throw new HttpErrors.StatusException(response.code(), text);
                }
            }
            return new java.io.FilterInputStream(body.byteStream()) {
                @Override
                public void close() {
                    response.close();
                }
            };
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
                return new RpcFault(RpcFault.Kind.RATE_LIMITED, name + " throttled " + what + ": HTTP " + status.code() + " "
                        + HttpErrors.scrub(status.body(), spec.url(), name));
            }
            if (status.message() != null) {
                if (HttpErrors.isBatchRefusal(status.message()) && what.startsWith("batch")) {
                    return new RpcFault(RpcFault.Kind.BATCH_REJECTED, name + " refused the " + what + ": HTTP " + status.code()
                            + " " + HttpErrors.scrub(status.message(), spec.url(), name));
                }
                return new WholeAnswerError(status.rpcCode(), "HTTP " + status.code() + ": " + status.message());
            }
            return new RpcFault(RpcFault.Kind.TRANSPORT, name + " failed " + what + ": HTTP " + status.code() + " "
                    + HttpErrors.scrub(status.body(), spec.url(), name));
        }
        RpcFault.Kind kind = HttpErrors.isTimeout(e) ? RpcFault.Kind.TIMEOUT
                : e instanceof com.fasterxml.jackson.core.JsonProcessingException ? RpcFault.Kind.ERROR_ANSWER
                : RpcFault.Kind.TRANSPORT;
        String detail = e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + HttpErrors.scrub(e.getMessage(), spec.url(), name));
        return new RpcFault(kind, name + " failed " + what + ": " + detail);
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
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return name;
    }
}
