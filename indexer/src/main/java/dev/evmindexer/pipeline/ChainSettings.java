package dev.evmindexer.pipeline;

import java.util.OptionalInt;

/**
 * How one chain is followed.
 *
 * @param finalityDepth empty: use the node's {@code finalized} tag (falling back to {@link #DEFAULT_DEPTH}
 *     where the node has none); otherwise {@code head - depth}. Depth 0 trusts the head: no reorg protection.
 * @param maxReorgDepth reorgs deeper than this halt the chain even above finality
 * @param tipBatch tip blocks fetched and committed together (1 on slow chains)
 * @param rangeSize blocks per {@code eth_getLogs} range in the range phase
 * @param fetchers ranges fetched concurrently in the range phase
 * @param rangesPerStep ranges committed before a step returns (keeps steps short for shutdown and head checks)
 */
public record ChainSettings(
        long chainId,
        String name,
        OptionalInt finalityDepth,
        int maxReorgDepth,
        int tipBatch,
        int rangeSize,
        int fetchers,
        int rangesPerStep) {

    public static final int DEFAULT_DEPTH = 64;
    public static final int DEFAULT_RANGE_SIZE = 2_000;
    /** Fetchers of tests and tools that do not derive them; the daemon and backfill use {@link #fetchersFor}. */
    public static final int DEFAULT_FETCHERS = 4;
    /** Most fetchers one chain runs when the config does not say: beyond this a 2-core machine only queues. */
    public static final int MAX_DEFAULT_FETCHERS = 16;
    public static final int DEFAULT_RANGES_PER_STEP = 32;

    public ChainSettings {
        if (maxReorgDepth < 1) throw new IllegalArgumentException("max_reorg_depth must be at least 1");
        if (tipBatch < 1 || rangeSize < 1 || fetchers < 1 || rangesPerStep < 1) {
            throw new IllegalArgumentException("tip batch, range size, fetchers and ranges per step must be positive");
        }
    }

    public static ChainSettings of(long chainId, String name, OptionalInt finalityDepth, int maxReorgDepth) {
        return new ChainSettings(chainId, name, finalityDepth, maxReorgDepth, 1, DEFAULT_RANGE_SIZE,
                DEFAULT_FETCHERS, DEFAULT_RANGES_PER_STEP);
    }

    public ChainSettings withTipBatch(int n) {
        return new ChainSettings(chainId, name, finalityDepth, maxReorgDepth, n, rangeSize, fetchers, rangesPerStep);
    }

    public ChainSettings withFetchers(int n) {
        return new ChainSettings(chainId, name, finalityDepth, maxReorgDepth, tipBatch, rangeSize, n, rangesPerStep);
    }

    /**
     * Fetchers of a chain whose config does not set {@code max_fetchers}: as many pieces of {@code logsPerCall} logs
     * as the memory budget holds, at least 2 (one fetching while one commits), at most half of what the endpoints
     * take at once (the rest is for tip calls), {@link #MAX_DEFAULT_FETCHERS}, and the database pool less two (each
     * fetcher commits on its own connection).
     */
    public static int fetchersFor(long budgetBytes, long logsPerCall, long endpointConcurrency, int poolSize) {
        long byMemory = budgetBytes / Math.max(1, MemoryBudget.bytesOf(logsPerCall, 0));
        long n = Math.max(2, byMemory);
        n = Math.min(n, Math.max(1, endpointConcurrency / 2));
        n = Math.min(n, MAX_DEFAULT_FETCHERS);
        n = Math.min(n, Math.max(1, poolSize - 2));
        return (int) Math.max(1, n);
    }

    public ChainSettings withRangeSize(int n) {
        return new ChainSettings(chainId, name, finalityDepth, maxReorgDepth, tipBatch, n, fetchers, rangesPerStep);
    }

    /**
     * The rule {@link #finalizedFrom} follows, in words, as stored beside {@code F}: every process of a chain must
     * follow the same one (the leader moves F; a backfill with another rule would otherwise fill past or short of it).
     */
    public String finalityRule() {
        return finalityDepth.isPresent() ? "head - " + finalityDepth.getAsInt()
                : "the node's finalized tag (else head - " + DEFAULT_DEPTH + ")";
    }

    /** The finalized block this node implies: its tag or {@code head - depth}, never below 0. */
    public long finalizedFrom(Heads heads) {
        long f = finalityDepth.isPresent()
                ? heads.head() - finalityDepth.getAsInt()
                : heads.finalized().orElse(heads.head() - DEFAULT_DEPTH);
        return Math.max(0, Math.min(f, heads.head()));
    }
}
