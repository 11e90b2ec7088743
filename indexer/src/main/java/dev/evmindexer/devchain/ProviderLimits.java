package dev.evmindexer.devchain;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link DevChainServer} imitates a hosted RPC provider's limits, each switchable on its own.
 * {@link #NONE} (the default) is the plain devchain: instant answers, no cap, never misbehaves.
 *
 * <p>Answer sizes are counted in <b>logs</b>, not bytes: the chain's blocks know their log counts
 * and blooms, so an answer is measured before it is streamed without encoding it (a devchain log is
 * about 600 bytes of JSON, which turns a provider's byte limit into logs).
 *
 * @param baseLatency    slept before every JSON-RPC answer (a batch is one answer)
 * @param latencyPerLog  slept in addition per log in the answer's {@code eth_getLogs} results, so
 *                       answers get slower the more logs they hold
 * @param maxLogs        an {@code eth_getLogs} call whose result would hold more logs than this is refused
 *                       the way Alchemy refuses it (code -32602, a suggested range); 0: no cap
 * @param uncappedRange  calls over at most this many blocks are never refused (Alchemy: 2,000, "no limit
 *                       on the response size"); 0: the cap applies to every range. A single block holding
 *                       more logs than the cap can only be fetched through this.
 * @param oversizeLogs   an answer holding more logs than this (all of its calls together) is not refused but
 *                       {@link OversizeMode mishandled}; 0: off. Checked after the cap: a refused call holds no logs.
 * @param oversizeMode   what an oversized answer gets
 * @param hang           how long a {@link OversizeMode#HANG hanging} answer sleeps before the connection is
 *                       closed without an answer
 */
public record ProviderLimits(
        Duration baseLatency,
        Duration latencyPerLog,
        int maxLogs,
        int uncappedRange,
        int oversizeLogs,
        OversizeMode oversizeMode,
        Duration hang) {

    /** JSON size of one generated devchain log (3 topics, 32 bytes of data): measured 599 to 603 bytes. */
    static final int DEVCHAIN_LOG_BYTES = 600;

    /** What a provider does with an answer above {@link #oversizeLogs}, instead of refusing it. */
    public enum OversizeMode {
        /** Sleeps {@link #hang}, then closes the connection without a byte of answer: the client times out. */
        HANG,
        /** Sends HTTP 200 and the start of the body, then closes the connection: the body is cut off. */
        CLOSE
    }

    /** Today's devchain: no latency, no cap, no misbehaviour. */
    public static final ProviderLimits NONE =
            new ProviderLimits(Duration.ZERO, Duration.ZERO, 0, 0, 0, OversizeMode.HANG, Duration.ZERO);

    public ProviderLimits {
        Objects.requireNonNull(baseLatency, "baseLatency");
        Objects.requireNonNull(latencyPerLog, "latencyPerLog");
        Objects.requireNonNull(oversizeMode, "oversizeMode");
        Objects.requireNonNull(hang, "hang");
        if (baseLatency.isNegative() || latencyPerLog.isNegative() || hang.isNegative()) {
            throw new IllegalArgumentException("negative duration in provider limits: base latency " + baseLatency
                    + ", latency per log " + latencyPerLog + ", hang " + hang);
        }
        if (maxLogs < 0 || uncappedRange < 0 || oversizeLogs < 0) {
            throw new IllegalArgumentException("negative count in provider limits: max logs " + maxLogs
                    + ", uncapped range " + uncappedRange + ", oversize logs " + oversizeLogs);
        }
    }

    /**
     * A hosted provider as the indexer meets it, Alchemy's published limits where there are some:
     * 20 ms per answer plus 2 µs per log (10,000 logs: +20 ms); more than 10,000 logs over a range of more
     * than 2,000 blocks refused with Alchemy's message; answers above Alchemy's 150 MB response limit
     * (250,000 devchain logs) hang for 30 s, then the connection closes: the provider times out rather
     * than refusing. The latencies are order-of-magnitude estimates, not measurements.
     */
    public static ProviderLimits realistic() {
        return new ProviderLimits(Duration.ofMillis(20), Duration.ofNanos(2_000), 10_000, 2_000,
                150_000_000 / DEVCHAIN_LOG_BYTES, OversizeMode.HANG, Duration.ofSeconds(30));
    }

    /** These limits with another latency: {@code base} per answer plus {@code perLog} per log in it. */
    public ProviderLimits withLatency(Duration base, Duration perLog) {
        return new ProviderLimits(base, perLog, maxLogs, uncappedRange, oversizeLogs, oversizeMode, hang);
    }

    /** These limits with another log cap ({@code maxLogs} 0: none) and range exempt from it (0: none). */
    public ProviderLimits withLogCap(int maxLogs, int uncappedRange) {
        return new ProviderLimits(baseLatency, latencyPerLog, maxLogs, uncappedRange, oversizeLogs, oversizeMode, hang);
    }

    /** These limits, hanging for {@code hang} on answers above {@code logs} logs (0: never). */
    public ProviderLimits hangAbove(int logs, Duration hang) {
        return new ProviderLimits(baseLatency, latencyPerLog, maxLogs, uncappedRange, logs, OversizeMode.HANG, hang);
    }

    /** These limits, cutting off answers above {@code logs} logs (0: never). */
    public ProviderLimits closeAbove(int logs) {
        return new ProviderLimits(baseLatency, latencyPerLog, maxLogs, uncappedRange, logs, OversizeMode.CLOSE, hang);
    }

    /** The sleep before an answer holding {@code logs} logs. */
    public Duration latency(long logs) {
        return baseLatency.plus(latencyPerLog.multipliedBy(logs));
    }

    /** True when an answer of {@code logs} logs is {@link OversizeMode mishandled}. */
    public boolean oversized(long logs) {
        return oversizeLogs > 0 && logs > oversizeLogs;
    }

    /** True when an {@code eth_getLogs} call over {@code blocks} blocks is subject to {@link #maxLogs}. */
    boolean capsRange(long blocks) {
        return maxLogs > 0 && blocks > uncappedRange;
    }

    /** True when answers must be measured before they are streamed. */
    boolean countsLogs() {
        return maxLogs > 0 || oversizeLogs > 0 || !latencyPerLog.isZero();
    }
}
