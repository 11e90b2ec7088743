package dev.evmindexer.rpc;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One JSON-RPC endpoint of a chain and its limits.
 *
 * <p>RPC URLs routinely carry API keys in their path or query, so the full URL is never logged nor put
 * into an exception message: use {@link #redacted()} (which {@link #toString()} also returns).
 *
 * @param url           {@code http://} or {@code https://} URL of the node
 * @param timeout       per-call timeout (connect, read, write and the whole call)
 * @param maxBatch      most requests sent in one JSON-RPC batch
 * @param maxBlockRange most blocks asked for in one {@code eth_getLogs} range query (the volume-driven range stays within it)
 * @param maxRps         cap of the adaptive request rate; 0 for none of its own (then {@link AdaptiveRate#DEFAULT_CAP_RPS})
 * @param maxConcurrency most requests in flight at once
 * @param weight         share of the traffic among endpoints in equally good health, relative to the others
 * @param logsPerCall    the number of logs an {@code eth_getLogs} range is sized toward (see {@link LogRange})
 */
public record EndpointSpec(String url, Duration timeout, int maxBatch, long maxBlockRange, double maxRps,
                           int maxConcurrency, double weight, long logsPerCall) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_BATCH = 50;
    public static final long DEFAULT_MAX_BLOCK_RANGE = 2000;
    public static final int DEFAULT_MAX_CONCURRENCY = dev.evmindexer.config.RpcEndpointConfig.DEFAULT_MAX_CONCURRENCY;
    public static final double DEFAULT_WEIGHT = dev.evmindexer.config.RpcEndpointConfig.DEFAULT_WEIGHT;
    public static final long DEFAULT_LOGS_PER_CALL = dev.evmindexer.config.RpcEndpointConfig.DEFAULT_LOGS_PER_CALL;

    public EndpointSpec {
        Objects.requireNonNull(url, "url");
        URI uri = parse(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("endpoint URL must start with http:// or https://, got scheme '"
                    + scheme + "' in " + redact(uri));
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("endpoint URL has no host: " + redact(uri));
        }
        if (timeout == null) timeout = DEFAULT_TIMEOUT;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout of " + redact(uri) + " must be positive, got " + timeout);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch of " + redact(uri) + " must be at least 1, got " + maxBatch);
        }
        if (maxBlockRange < 1) {
            throw new IllegalArgumentException("maxBlockRange of " + redact(uri) + " must be at least 1, got "
                    + maxBlockRange);
        }
        if (maxRps < 0 || Double.isNaN(maxRps) || Double.isInfinite(maxRps)) {
            throw new IllegalArgumentException("maxRps of " + redact(uri) + " must be a positive number (or 0 for "
                    + "no cap of its own), got " + maxRps);
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency of " + redact(uri) + " must be at least 1, got "
                    + maxConcurrency);
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight of " + redact(uri) + " must be a positive number, got " + weight);
        }
        if (logsPerCall < 1) {
            throw new IllegalArgumentException("logsPerCall of " + redact(uri) + " must be at least 1, got " + logsPerCall);
        }
    }

    /** An endpoint with the default timeout, batch size and block range. */
    public EndpointSpec(String url) {
        this(url, DEFAULT_TIMEOUT, DEFAULT_MAX_BATCH, DEFAULT_MAX_BLOCK_RANGE);
    }

    /** An endpoint with these limits, no rate cap of its own, the default concurrency and weight. */
    public EndpointSpec(String url, Duration timeout, int maxBatch, long maxBlockRange) {
        this(url, timeout, maxBatch, maxBlockRange, 0, DEFAULT_MAX_CONCURRENCY, DEFAULT_WEIGHT, DEFAULT_LOGS_PER_CALL);
    }

    /**
     * {@code scheme://host:port}, followed by {@code /…} when the URL has anything more (path, query,
     * fragment or user info), which is where providers put API keys. Safe to log.
     */
    public String redacted() {
        return redact(parse(url));
    }

    @Override
    public String toString() {
        return "EndpointSpec[" + redacted() + ", timeout=" + timeout + ", maxBatch=" + maxBatch
                + ", maxBlockRange=" + maxBlockRange + ", maxRps=" + maxRps + ", maxConcurrency=" + maxConcurrency
                + ", weight=" + weight + ", logsPerCall=" + logsPerCall + "]";
    }

    private static URI parse(String url) {
        try {
            return new URI(url.trim());
        } catch (URISyntaxException e) {
            // The reason names the offending index, never the URL itself.
            throw new IllegalArgumentException("endpoint URL is not a valid URI (" + e.getReason() + " at index "
                    + e.getIndex() + ")");
        }
    }

    private static String redact(URI uri) {
        String scheme = uri.getScheme() == null ? "?" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "?" : uri.getHost();
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String path = uri.getRawPath();
        boolean hidden = (path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null;
        return scheme + "://" + host + ":" + port + (hidden ? "/…" : "");
    }
}
