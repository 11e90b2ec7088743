package dev.evmindexer.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Operating the daemon: where {@code /metrics}, {@code /healthz} and {@code /readyz} are served (port 0
 * picks a free port), how far behind the head a chain may be and still count as ready, and how long
 * outbox entries are kept.
 *
 * @param maxLagBlocks    {@code /readyz} fails for a chain more blocks than this behind its node's head
 * @param outboxRetention outbox rows older than this are deleted by the daemon
 * @param progressInterval how often {@code run} logs one progress line per chain
 */
public record OpsConfig(String host, int port, long maxLagBlocks, Duration outboxRetention, Duration progressInterval) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9464;
    public static final long DEFAULT_MAX_LAG_BLOCKS = 100;
    public static final Duration DEFAULT_OUTBOX_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(30);

    public OpsConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(outboxRetention, "outboxRetention");
        Objects.requireNonNull(progressInterval, "progressInterval");
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("progressInterval must be positive, got " + progressInterval);
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (maxLagBlocks < 0) throw new IllegalArgumentException("maxLagBlocks must be >= 0, got " + maxLagBlocks);
        if (outboxRetention.isNegative() || outboxRetention.isZero()) {
            throw new IllegalArgumentException("outboxRetention must be positive, got " + outboxRetention);
        }
    }

    /** With the default progress interval. */
    public OpsConfig(String host, int port, long maxLagBlocks, Duration outboxRetention) {
        this(host, port, maxLagBlocks, outboxRetention, DEFAULT_PROGRESS_INTERVAL);
    }

    /** Host and port with the default lag limit, retention and progress interval. */
    public OpsConfig(String host, int port) {
        this(host, port, DEFAULT_MAX_LAG_BLOCKS, DEFAULT_OUTBOX_RETENTION);
    }

    public static OpsConfig defaults() {
        return new OpsConfig(DEFAULT_HOST, DEFAULT_PORT);
    }
}
