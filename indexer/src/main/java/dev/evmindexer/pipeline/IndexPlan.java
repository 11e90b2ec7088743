package dev.evmindexer.pipeline;

import dev.evmindexer.abi.AbiException;
import dev.evmindexer.abi.Column;
import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.config.ChainConfig;
import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.EventConfig;
import dev.evmindexer.config.Finality;
import dev.evmindexer.config.IndexerConfig;
import dev.evmindexer.config.SourceConfig;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The validated config turned into what the pipeline runs: per chain, its settings and event tables.
 * Event signatures are parsed here, so an unparsable one is refused before anything starts, with the
 * key and line that hold it.
 */
public record IndexPlan(IndexerConfig config, Map<String, ChainPlan> chains) {
    static final String VIEW_SUFFIX = "_finalized";
    static final int MAX_IDENTIFIER_BYTES = 63;

    /** One chain's settings and tables. */
    public record ChainPlan(ChainConfig chain, ChainSettings settings, List<EventTable> tables) {}

    public static IndexPlan from(IndexerConfig config) throws ConfigException {
        Map<String, ChainPlan> chains = new LinkedHashMap<>();
        for (ChainConfig c : config.chains()) {
            List<EventTable> tables = new ArrayList<>();
            for (int si = 0; si < config.sources().size(); si++) {
                SourceConfig s = config.sources().get(si);
                if (!s.chain().equals(c.name())) continue;
                for (int ei = 0; ei < s.events().size(); ei++) {
                    tables.add(table(config, c, s, s.events().get(ei), "sources[" + si + "].events[" + ei + "]"));
                }
            }
            if (tables.isEmpty()) continue; // a chain no source uses is not followed
            OptionalInt depth = c.finality() instanceof Finality.Depth d ? OptionalInt.of(d.blocks()) : OptionalInt.empty();
            // a range is fetched, held and committed whole: no bigger than what every endpoint serves in one call
            long rangeSize = c.rpc().stream().mapToLong(r -> r.maxBlockRange().orElse(ChainSettings.DEFAULT_RANGE_SIZE))
                    .min().orElse(ChainSettings.DEFAULT_RANGE_SIZE);
            ChainSettings settings = ChainSettings.of(c.chainId(), c.name(), depth, c.maxReorgDepth())
                    .withTipBatch(c.batchSize()).withRangeSize((int) Math.min(rangeSize, ChainSettings.DEFAULT_RANGE_SIZE));
            chains.put(c.name(), new ChainPlan(c, settings, List.copyOf(tables)));
        }
        return new IndexPlan(config, chains);
    }

    /** Every table of every chain. */
    public List<EventTable> allTables() {
        return chains.values().stream().flatMap(c -> c.tables().stream()).toList();
    }

    private static EventTable table(IndexerConfig config, ChainConfig c, SourceConfig s, EventConfig e, String key)
            throws ConfigException {
        EventSignature sig;
        EventDecoder decoder;
        try {
            sig = EventSignature.parse(e.signature());
            decoder = new EventDecoder(sig);
        } catch (AbiException ex) {
            throw new ConfigException(config.origin(), e.line(), key + ".signature", ex.getMessage());
        }
        if (sig.anonymous() && s.addresses().isEmpty()) {
            throw new ConfigException(config.origin(), e.line(), key + ".signature",
                    "an anonymous event has no topic0 to filter by; the source must name addresses");
        }
        if ((e.table() + VIEW_SUFFIX).getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            throw new ConfigException(config.origin(), e.line(), key + ".table", "'" + e.table() + "' is too long: its view '"
                    + e.table() + VIEW_SUFFIX + "' would pass PostgreSQL's 63-byte identifier limit; use at most "
                    + (MAX_IDENTIFIER_BYTES - VIEW_SUFFIX.length()) + " bytes");
        }
        var topics = sig.anonymous() ? List.<dev.evmindexer.eth.Hash>of() : List.of(sig.topic0());
        LogFilter filter = new LogFilter(s.addresses(), topics);
        return new EventTable(config.database().schema(), e.table(), c.chainId(), s.name(), s.startBlock(), filter,
                sig, decoder, definitionHash(c.chainId(), sig, s.addresses(), decoder.columns()));
    }

    /** Everything that shapes the rows, but not the start block. */
    static String definitionHash(long chainId, EventSignature sig, List<Address> addresses, List<Column> columns) {
        StringBuilder sb = new StringBuilder().append("chain=").append(chainId).append(";event=").append(sig.canonical());
        sig.params().forEach(p -> sb.append(";param=").append(p.name()).append(':').append(p.type()).append(p.indexed() ? ":i" : ""));
        sb.append(";anonymous=").append(sig.anonymous());
        addresses.stream().map(Address::hex).sorted(Comparator.naturalOrder()).forEach(a -> sb.append(";address=").append(a));
        columns.forEach(col -> sb.append(";column=").append(col.name()).append(':').append(col.sqlType()));
        try {
            return Hex.encode(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)))
                    .substring(2, 34);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
