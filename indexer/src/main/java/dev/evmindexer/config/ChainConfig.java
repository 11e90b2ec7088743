package dev.evmindexer.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One chain: its endpoints and how the daemon follows it.
 *
 * @param finality      where final blocks end, see {@link Finality}
 * @param maxReorgDepth deepest reorg rewritten automatically; deeper ones halt the chain
 * @param bloomChecks   whether logs are checked against header blooms (off for chains with wrong blooms)
 * @param receiptsProof whether the tip phase takes block logs from receipts proven against the header's receiptsRoot
 * @param reconcile     background re-fetching and comparison of finalized ranges, see {@link Reconcile}
 * @param batchSize     tip headers fetched per batch, 1..{@value #MAX_BATCH_SIZE}
 * @param line          1-based line of this entry in the config
 */
public record ChainConfig(String name, long chainId, List<RpcEndpointConfig> rpc, Finality finality,
                          int maxReorgDepth, Duration pollInterval, boolean bloomChecks,
                          boolean receiptsProof, Reconcile reconcile, int batchSize,
                          OptionalInt maxFetchers, int line) {
    public static final int DEFAULT_MAX_REORG_DEPTH = 128;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    public static final boolean DEFAULT_BLOOM_CHECKS = true;
    public static final boolean DEFAULT_RECEIPTS_PROOF = false;
    public static final Reconcile DEFAULT_RECONCILE = Reconcile.OFF;
    public static final int DEFAULT_BATCH_SIZE = 1;
    public static final int MAX_BATCH_SIZE = 100;

    public ChainConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(finality, "finality");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(maxFetchers, "maxFetchers");
        Objects.requireNonNull(reconcile, "reconcile");
        rpc = List.copyOf(rpc);
        if (rpc.isEmpty()) throw new IllegalArgumentException("chain " + name + " has no RPC endpoint");
        if (maxReorgDepth < 1) throw new IllegalArgumentException("maxReorgDepth must be >= 1, got " + maxReorgDepth);
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be 1.." + MAX_BATCH_SIZE + ", got " + batchSize);
        }
    }
}
