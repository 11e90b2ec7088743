package dev.evmindexer.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated configuration: chains, their sources, the database and the ops endpoint. Built only
 * by {@link ConfigLoader} from a file (or by tests); immutable.
 *
 * @param origin where it was read from, for messages
 */
public record IndexerConfig(DatabaseConfig database, List<ChainConfig> chains, List<SourceConfig> sources,
                            OpsConfig ops, String origin) {
    public IndexerConfig {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(ops, "ops");
        Objects.requireNonNull(origin, "origin");
        chains = List.copyOf(chains);
        sources = List.copyOf(sources);
    }

    public Optional<ChainConfig> chain(String name) {
        return chains.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The sources on that chain, in config order; empty for an unknown chain. */
    public List<SourceConfig> sourcesOf(String chainName) {
        return sources.stream().filter(s -> s.chains().contains(chainName)).toList();
    }

    /**
     * A multi-line description for the start-up log. URLs are redacted with {@link Secrets#redactUrl};
     * passwords never appear.
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("config ").append(origin).append('\n');
        sb.append("database: ");
        if (database.embedded()) {
            sb.append("embedded PostgreSQL").append(database.dataDir() == null ? "" : " (data_dir " + database.dataDir() + ")");
        } else {
            sb.append(Secrets.redactUrl(database.url()));
            if (database.user() != null) sb.append(" as ").append(database.user());
        }
        sb.append(", schema ").append(database.schema()).append(", pool ").append(database.poolSize()).append('\n');
        for (ChainConfig c : chains) {
            sb.append("chain ").append(c.name()).append(" (id ").append(c.chainId()).append("): finality ")
                    .append(c.finality()).append(", max reorg depth ").append(c.maxReorgDepth())
                    .append(", poll ").append(Durations.format(c.pollInterval()))
                    .append(", bloom checks ").append(c.bloomChecks() ? "on" : "off")
                    .append(c.receiptsProof() ? ", receipts proof on" : "")
                    .append(", tip batch ").append(c.batchSize())
                    .append(c.maxFetchers().isPresent() ? ", max fetchers " + c.maxFetchers().getAsInt() : "").append('\n');
            for (RpcEndpointConfig r : c.rpc()) sb.append("  rpc ").append(describe(r)).append('\n');
            for (SourceConfig s : sourcesOf(c.name())) {
                sb.append("  source ").append(s.name()).append(" from block ").append(s.startBlock()).append(", ")
                        .append(s.factory() != null ? "children of " + s.factory().source() + " (" + s.factory().event() + "."
                                + s.factory().parameter() + ")" : s.allAddresses() ? "all contracts" : s.addresses().size() == 1
                                ? "address " + s.addresses().get(0) : s.addresses().size() + " addresses")
                        .append('\n');
                if (s.allEvents()) sb.append("    ").append(s.tablePattern()).append(" <- every event of ").append(s.abi()).append('\n');
                for (EventConfig e : s.events()) {
                    sb.append("    ").append(e.table()).append(" <- ")
                            .append(e.signature() != null ? e.signature() : e.name() + " from " + (e.abi() != null ? e.abi() : s.abi()))
                            .append('\n');
                }
            }
        }
        sb.append("ops: http://").append(ops.host()).append(':').append(ops.port()).append(", ready within ")
                .append(ops.maxLagBlocks()).append(" blocks of the head, outbox kept ")
                .append(Durations.format(ops.outboxRetention())).append(", progress logged every ")
                .append(Durations.format(ops.progressInterval()));
        return sb.toString();
    }

    private static String describe(RpcEndpointConfig r) {
        StringBuilder sb = new StringBuilder(r.redacted());
        r.maxRps().ifPresent(v -> sb.append(", max_rps ").append(v));
        r.maxConcurrency().ifPresent(v -> sb.append(", max_concurrency ").append(v));
        r.maxBlockRange().ifPresent(v -> sb.append(", max_block_range ").append(v));
        r.logsPerCall().ifPresent(v -> sb.append(", logs_per_call ").append(v));
        r.maxBatch().ifPresent(v -> sb.append(", max_batch ").append(v));
        r.timeout().ifPresent(v -> sb.append(", timeout ").append(Durations.format(v)));
        if (r.weight() != RpcEndpointConfig.DEFAULT_WEIGHT) sb.append(", weight ").append(r.weight());
        return sb.toString();
    }
}
