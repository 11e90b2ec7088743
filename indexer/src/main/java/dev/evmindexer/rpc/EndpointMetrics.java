package dev.evmindexer.rpc;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live figures of one endpoint, for a metrics registry to bind (counters as functions, the rest as gauges).
 * Names the endpoint by its redacted URL only. Thread-safe; reading never blocks a request.
 */
public final class EndpointMetrics {
    private final Endpoint endpoint;
    private final LongAdder requests = new LongAdder();
    private final LongAdder hedges = new LongAdder();
    private final LongAdder outOfRotation = new LongAdder();
    private final Map<RpcFault.Kind, LongAdder> errors = new EnumMap<>(RpcFault.Kind.class);
    private final AtomicLong head = new AtomicLong(-1);

    EndpointMetrics(Endpoint endpoint) {
        this.endpoint = endpoint;
        for (RpcFault.Kind k : RpcFault.Kind.values()) errors.put(k, new LongAdder());
    }

    /** The redacted URL ({@code scheme://host:port/…}): safe as a metric tag. */
    public String endpoint() {
        return endpoint.name();
    }

    /** HTTP requests sent (a JSON-RPC batch is one). */
    public long requests() {
        return requests.sum();
    }

    /** The error kinds, lower case: transport, timeout, rate_limited, error_answer, bad_answer, lagging, ... */
    public static java.util.List<String> errorKinds() {
        return java.util.Arrays.stream(RpcFault.Kind.values()).map(k -> k.name().toLowerCase(Locale.ROOT)).toList();
    }

    /** Errors of one kind (one of {@link #errorKinds()}). */
    public long errors(String kind) {
        return errors.get(RpcFault.Kind.valueOf(kind.toUpperCase(Locale.ROOT))).sum();
    }

    /** Errors of every kind. */
    public long errors() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Tip calls this endpoint answered as the hedged second copy. */
    public long hedgesWon() {
        return hedges.sum();
    }

    /** Median latency of the recent requests, or -1 while there are too few. */
    public double latencyP50Millis() {
        return millis(endpoint.latency().percentile(0.50));
    }

    /** 95th percentile latency of the recent requests, or -1 while there are too few. */
    public double latencyP95Millis() {
        return millis(endpoint.latency().percentile(0.95));
    }

    /** The current adaptive request rate (requests per second). */
    public double currentRps() {
        return endpoint.rate().rate();
    }

    /** Blocks of the latest {@code eth_getLogs} range asked for (sized by volume, see {@link LogRange}). */
    public long currentBlockRange() {
        return endpoint.lastRange();
    }

    /** The current JSON-RPC batch size (1: batches are not used). */
    public long currentBatchSize() {
        return endpoint.batchSize().get();
    }

    /** The endpoint's head when last seen, or -1. */
    public long head() {
        return head.get();
    }

    /** In rotation now (chain id checked, not backing off after errors). */
    public boolean inRotation() {
        return endpoint.health().usable(endpoint.health().now());
    }

    /** Times this endpoint was taken out of rotation because of its own failures. */
    public long timesOutOfRotation() {
        return outOfRotation.sum();
    }

    void request() {
        requests.increment();
    }

    void tookOutOfRotation() {
        outOfRotation.increment();
    }

    void error(RpcFault.Kind kind) {
        errors.get(kind).increment();
    }

    void hedgeWon() {
        hedges.increment();
    }

    void head(long h) {
        head.set(h);
    }

    private static double millis(Duration d) {
        return d == null ? -1 : d.toNanos() / 1e6;
    }

    @Override
    public String toString() {
        return endpoint() + " requests=" + requests() + " errors=" + errors() + " rps=" + Math.round(currentRps())
                + " range=" + currentBlockRange() + " batch=" + currentBatchSize()
                + String.format(Locale.ROOT, " p50=%.1fms p95=%.1fms", latencyP50Millis(), latencyP95Millis());
    }
}
