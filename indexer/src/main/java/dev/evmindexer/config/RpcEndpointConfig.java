package dev.evmindexer.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One JSON-RPC endpoint of a chain. The limits are optional: absent means the endpoint pool's own
 * defaults and adaptive behaviour apply. {@code url} may hold an API key: log {@link #redacted()}.
 *
 * @param weight share of the traffic relative to the chain's other endpoints, default 1
 * @param line   1-based line of this entry in the config
 */
public record RpcEndpointConfig(String url, OptionalDouble maxRps, OptionalInt maxConcurrency,
                                OptionalLong maxBlockRange, OptionalLong logsPerCall, OptionalInt maxBatch,
                                Optional<Duration> timeout,
                                double weight, int line) {
    public static final double DEFAULT_WEIGHT = 1.0;
    /** Requests in flight at once on one endpoint. */
    public static final int DEFAULT_MAX_CONCURRENCY = 32;
    /**
     * Logs per {@code eth_getLogs} call the range is sized toward: the cap most providers put on one answer (Alchemy,
     * Infura: 10,000), and in the benchmark's fixed-range runs on anvil about as fast as larger calls while holding
     * less memory (README, performance).
     */
    public static final long DEFAULT_LOGS_PER_CALL = 10_000;
    /** The largest {@code logs_per_call} accepted: beyond it one call's logs could not fit any heap this runs in. */
    public static final long MAX_LOGS_PER_CALL = 10_000_000;

    public RpcEndpointConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(maxRps, "maxRps");
        Objects.requireNonNull(maxConcurrency, "maxConcurrency");
        Objects.requireNonNull(maxBlockRange, "maxBlockRange");
        Objects.requireNonNull(logsPerCall, "logsPerCall");
        Objects.requireNonNull(maxBatch, "maxBatch");
        Objects.requireNonNull(timeout, "timeout");
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be a positive number, got " + weight);
        }
    }

    /** An endpoint with no limits of its own and the default weight. */
    public static RpcEndpointConfig of(String url) {
        return new RpcEndpointConfig(url, OptionalDouble.empty(), OptionalInt.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalInt.empty(), Optional.empty(), DEFAULT_WEIGHT, 0);
    }

    /** The URL without credentials, path or query, for logs: see {@link Secrets#redactUrl}. */
    public String redacted() {
        return Secrets.redactUrl(url);
    }

    /** Never prints the URL's secrets, so the record is safe to log by accident. */
    @Override
    public String toString() {
        return "RpcEndpointConfig[" + redacted() + "]";
    }
}
