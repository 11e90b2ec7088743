package dev.evmindexer.pipeline;

import dev.evmindexer.abi.AbiException;
import dev.evmindexer.abi.AbiJson;
import dev.evmindexer.abi.Names;
import dev.evmindexer.abi.Column;
import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.config.ChainConfig;
import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.EventConfig;
import dev.evmindexer.config.Finality;
import dev.evmindexer.config.IndexerConfig;
import dev.evmindexer.config.RpcEndpointConfig;
import dev.evmindexer.config.SourceConfig;
import dev.evmindexer.config.TxField;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The validated config turned into what the pipeline runs: per chain, its settings and event tables.
 * Event signatures and ABI files are read here, so an unparsable one is refused before anything starts,
 * with the key and line that hold it.
 */
public record IndexPlan(IndexerConfig config, Map<String, ChainPlan> chains) {
    static final String VIEW_SUFFIX = "_finalized";
    static final int MAX_IDENTIFIER_BYTES = dev.evmindexer.abi.Names.MAX_IDENTIFIER_BYTES;

    /** One chain's settings and tables. */
    public record ChainPlan(ChainConfig chain, ChainSettings settings, List<EventTable> tables) {}

    public static IndexPlan from(IndexerConfig config) throws ConfigException {
        Map<String, ChainPlan> chains = new LinkedHashMap<>();
        Map<Path, List<EventSignature>> abis = new HashMap<>();
        Map<String, Claimed> tableOwners = new HashMap<>();
        Map<String, Claimed> viewOwners = new HashMap<>();
        for (int si = 0; si < config.sources().size(); si++) {
            SourceConfig s = config.sources().get(si);
            // a source's abi file is read even when its events are given by signature: a missing one is a mistake
            if (s.abi() != null) readAbi(config, s.abi(), s.line(), "sources[" + si + "].abi", abis);
        }
        for (ChainConfig c : config.chains()) {
            List<EventTable> tables = new ArrayList<>();
            Factories factories = new Factories(config);
            // factories before their children: a child table links to its factory's table, and the planner and the tip
            // phase handle a factory's rows (its children) before the tables that follow them
            for (int si : Factories.order(config.sources())) {
                SourceConfig s = config.sources().get(si);
                if (!s.chains().contains(c.name())) continue;
                String sourceKey = "sources[" + si + "]";
                int first = tables.size();
                if (s.allEvents()) {
                    for (EventTable t : allEvents(config, c, s, sourceKey, abis, factories)) {
                        claim(config, tableOwners, viewOwners, new Claimed(t, s.line(), sourceKey + ".table_pattern"));
                        tables.add(t);
                    }
                }
                for (int ei = 0; ei < s.events().size(); ei++) {
                    EventConfig e = s.events().get(ei);
                    EventTable t = table(config, c, s, e, sourceKey + ".events[" + ei + "]", abis, factories);
                    claim(config, tableOwners, viewOwners, new Claimed(t, e.line(), sourceKey + ".events[" + ei + "].table"));
                    tables.add(t);
                }
                factories.built(s, tables.subList(first, tables.size()));
            }
            if (tables.isEmpty()) continue; // a chain no source uses is not followed
            OptionalInt depth = c.finality() instanceof Finality.Depth d ? OptionalInt.of(d.blocks()) : OptionalInt.empty();
            // the planning grid: units no longer than what every endpoint is allowed to serve in one call
            long rangeSize = c.rpc().stream().mapToLong(r -> r.maxBlockRange().orElse(ChainSettings.DEFAULT_RANGE_SIZE))
                    .min().orElse(ChainSettings.DEFAULT_RANGE_SIZE);
            long logsPerCall = c.rpc().stream().mapToLong(r -> r.logsPerCall().orElse(RpcEndpointConfig.DEFAULT_LOGS_PER_CALL))
                    .max().orElse(RpcEndpointConfig.DEFAULT_LOGS_PER_CALL);
            long concurrency = c.rpc().stream().mapToLong(r -> r.maxConcurrency().orElse(RpcEndpointConfig.DEFAULT_MAX_CONCURRENCY)).sum();
            // the memory budget and the database pool are the process's: each chain gets its share of them
            int chainCount = Math.max(1, config.chains().size());
            int fetchers = c.maxFetchers().orElse(ChainSettings.fetchersFor(MemoryBudget.shared().total() / chainCount,
                    logsPerCall, concurrency, Math.max(3, config.database().poolSize() / chainCount)));
            ChainSettings settings = ChainSettings.of(c.chainId(), c.name(), depth, c.maxReorgDepth())
                    .withTipBatch(c.batchSize()).withRangeSize((int) Math.min(rangeSize, ChainSettings.DEFAULT_RANGE_SIZE))
                    .withFetchers(fetchers);
            chains.put(c.name(), new ChainPlan(c, settings, List.copyOf(tables)));
        }
        return new IndexPlan(config, chains);
    }

    /** Every table of every chain. */
    public List<EventTable> allTables() {
        return chains.values().stream().flatMap(c -> c.tables().stream()).toList();
    }

    /** A table as configured: where in the config it is named. */
    private record Claimed(EventTable table, int line, String key) {
        String where() {
            return key + " (source " + table.sourceName() + ", line " + line + ")";
        }
    }

    /**
     * Table names are checked here once the events are known (those of {@code events: all} are only known here):
     * a name is one table per chain, and several chains may share it only with the same definition (event,
     * columns, indexes), since they write into one PostgreSQL table; no table may take another's view's name.
     */
    private static void claim(IndexerConfig config, Map<String, Claimed> tables, Map<String, Claimed> views, Claimed claimed)
            throws ConfigException {
        EventTable t = claimed.table();
        Claimed same = tables.get(t.name());
        Claimed clash = same != null && same.table().chainId() == t.chainId() ? same
                : views.containsKey(t.name()) ? views.get(t.name()) : tables.get(t.name() + VIEW_SUFFIX);
        if (clash != null) {
            throw new ConfigException(config.origin(), claimed.line(), claimed.key(), "table " + t.name() + " for "
                    + t.signature().canonical() + " clashes with the table or view of the same name of "
                    + clash.table().signature().canonical() + " at " + clash.where() + "; change a table"
                    + " or table_pattern");
        }
        if (same != null) {
            String differs = differences(same.table(), t);
            if (!differs.isEmpty()) {
                throw new ConfigException(config.origin(), claimed.line(), claimed.key(), "table " + t.name() + " is also"
                        + " written by " + same.where() + " on another chain, with another definition (" + differs
                        + "); sources on different chains share a table only with the same event, columns and indexes");
            }
        }
        tables.putIfAbsent(t.name(), claimed);
        views.putIfAbsent(t.name() + VIEW_SUFFIX, claimed);
    }

    /** What makes two chains' tables of one name unable to share it; empty when they agree. */
    private static String differences(EventTable a, EventTable b) {
        List<String> out = new ArrayList<>();
        if (!a.signature().canonical().equals(b.signature().canonical())) {
            out.add("event " + a.signature().canonical() + " there, " + b.signature().canonical() + " here");
        }
        String ca = columnList(a);
        String cb = columnList(b);
        if (!ca.equals(cb)) out.add("columns " + ca + " there, " + cb + " here");
        if (!a.indexes().equals(b.indexes())) out.add("indexes " + a.indexes() + " there, " + b.indexes() + " here");
        if (a.reconciledView() != b.reconciledView()) {
            out.add("finalized_view " + (a.reconciledView() ? "reconciled" : "finalized") + " there, "
                    + (b.reconciledView() ? "reconciled" : "finalized") + " here (one view serves both)");
        }
        return String.join("; ", out);
    }

    private static String columnList(EventTable t) {
        return "(" + String.join(", ", t.columns().stream().map(c -> c.name() + " " + c.sqlType()).toList()) + ")";
    }

    private static List<EventTable> allEvents(IndexerConfig config, ChainConfig c, SourceConfig s, String key,
            Map<Path, List<EventSignature>> abis, Factories factories) throws ConfigException {
        List<EventSignature> events = readAbi(config, s.abi(), s.line(), key + ".abi", abis);
        var overloads = AbiJson.overloads(events);
        if (!overloads.isEmpty()) {
            var first = overloads.entrySet().iterator().next();
            throw new ConfigException(config.origin(), s.line(), key + ".events", "the abi overloads event " + first.getKey() + " ("
                    + String.join(", ", first.getValue().stream().map(EventSignature::canonical).toList())
                    + "): list the events instead, each overload with name: \"<its signature>\" and its own table");
        }
        if (events.isEmpty()) throw new ConfigException(config.origin(), s.line(), key + ".abi", s.abi() + " has no events");
        List<EventTable> out = new ArrayList<>();
        for (EventSignature sig : events) {
            String table = s.tablePattern().replace(SourceConfig.EVENT_PLACEHOLDER, Names.snakeCase(sig.name()));
            out.add(build(config, c, s, sig, table, Map.of(), List.of(), List.of(), List.of(), false, s.line(), key + ".events",
                    key + ".table_pattern", factories));
        }
        return out;
    }

    private static EventTable table(IndexerConfig config, ChainConfig c, SourceConfig s, EventConfig e, String key,
            Map<Path, List<EventSignature>> abis, Factories factories) throws ConfigException {
        EventSignature sig;
        String sigKey;
        if (e.signature() != null) {
            sigKey = key + ".signature";
            try {
                sig = EventSignature.parse(e.signature());
            } catch (AbiException ex) {
                throw new ConfigException(config.origin(), e.line(), sigKey, ex.getMessage());
            }
        } else {
            sigKey = key + ".name";
            Path abi = e.abi() != null ? e.abi() : s.abi();
            List<EventSignature> events = readAbi(config, abi, e.abi() != null ? e.line() : s.line(), e.abi() != null ? key + ".abi" : key.substring(0, key.indexOf('.')) + ".abi", abis);
            try {
                sig = AbiJson.select(events, e.name());
            } catch (AbiException ex) {
                throw new ConfigException(config.origin(), e.line(), sigKey, ex.getMessage() + " (" + abi + ")");
            }
        }
        if (e.reconciledView() && c.reconcile().fraction() < 1) {
            throw new ConfigException(config.origin(), e.line(), key + ".finalized_view", "reconciled shows the rows "
                    + "reconciliation confirmed, so it needs every range reconciled: chain " + c.name() + " has reconcile: "
                    + c.reconcile().describe() + "; set reconcile: all there (with two or more endpoints for exact data), "
                    + "or drop finalized_view");
        }
        return build(config, c, s, sig, e.table(), e.columns(), e.indexes(), e.filter(), e.fields(), e.reconciledView(),
                e.line(), sigKey, key + ".table", factories);
    }

    private static EventTable build(IndexerConfig config, ChainConfig c, SourceConfig s, EventSignature sig, String table,
            Map<String, String> renames, List<List<String>> indexes, List<EventConfig.Filter> filters, List<TxField> fields,
            boolean reconciledView, int line, String sigKey, String tableKey, Factories factories) throws ConfigException {
        EventDecoder decoder;
        try {
            decoder = new EventDecoder(sig);
        } catch (AbiException ex) {
            throw new ConfigException(config.origin(), line, sigKey, ex.getMessage());
        }
        if (!renames.isEmpty()) {
            try {
                decoder = new EventDecoder(sig, renames);
            } catch (AbiException ex) {
                throw new ConfigException(config.origin(), line, tableKey.substring(0, tableKey.lastIndexOf('.')) + ".columns", ex.getMessage());
            }
        }
        FactoryLink link = factories.linkOf(s);
        if (sig.anonymous() && link != null) {
            throw new ConfigException(config.origin(), line, sigKey, "event " + sig.canonical() + " is anonymous: it has no "
                    + "topic0, so the children of a factory cannot be followed for it; list the addresses instead");
        }
        if (sig.anonymous() && s.addresses().isEmpty()) {
            throw new ConfigException(config.origin(), line, sigKey, "event " + sig.canonical()
                    + " is anonymous: it has no topic0 to filter by, so the source must name addresses");
        }
        if ((table + VIEW_SUFFIX).getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            throw new ConfigException(config.origin(), line, tableKey, "'" + table + "' is too long: its view '"
                    + table + VIEW_SUFFIX + "' would pass PostgreSQL's 63-byte identifier limit; use at most "
                    + (MAX_IDENTIFIER_BYTES - VIEW_SUFFIX.length()) + " bytes");
        }
        var topics = sig.anonymous() ? List.<dev.evmindexer.eth.Hash>of() : List.of(sig.topic0());
        List<ParamFilter> params = ParamFilters.of(sig, filters, config.origin(), tableKey.substring(0, tableKey.lastIndexOf('.')));
        LogFilter filter = new LogFilter(s.addresses(), topics, ParamFilters.topics(sig, params));
        var known = new java.util.HashSet<>(dev.evmindexer.abi.Names.STANDARD_COLUMNS);
        decoder.columns().forEach(col -> known.add(col.name()));
        for (TxField f : fields) {
            if (!known.add(f.column())) {
                throw new ConfigException(config.origin(), line, tableKey.substring(0, tableKey.lastIndexOf('.')) + ".fields",
                        "field " + f.column() + " clashes with the column of the same name of parameter of "
                        + sig.canonical() + "; rename that column with columns: {" + f.column() + ": other_name}");
            }
        }
        for (List<String> index : indexes) {
            for (String col : index) {
                if (!known.contains(col)) {
                    throw new ConfigException(config.origin(), line, tableKey.substring(0, tableKey.lastIndexOf('.')) + ".indexes",
                            "no column '" + col + "' in table " + table + " (columns: " + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }
        // the fields' columns come after the parameters': a table without fields keeps the hash it had before them
        List<Column> columns = new ArrayList<>(decoder.columns());
        fields.forEach(f -> columns.add(EventTable.fieldColumn(f)));
        String hash = definitionHash(c.chainId(), sig, s.addresses(), columns, params, link == null ? null : link.key());
        return new EventTable(config.database().schema(), table, c.chainId(), s.name(), s.startBlock(), filter,
                sig, decoder, hash, indexes, params, s.endBlock(), fields, link,
                factories.childSources(s, sig, config.database().schema(), table), reconciledView);
    }

    private static List<EventSignature> readAbi(IndexerConfig config, Path file, int line, String key,
            Map<Path, List<EventSignature>> cache) throws ConfigException {
        List<EventSignature> cached = cache.get(file);
        if (cached != null) return cached;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException ex) {
            throw new ConfigException(config.origin(), line, key, "abi file " + file + " not found");
        } catch (IOException ex) {
            throw new ConfigException(config.origin(), line, key, "reading abi file " + file + ": " + ex);
        }
        try {
            List<EventSignature> events = AbiJson.events(text);
            cache.put(file, events);
            return events;
        } catch (AbiException ex) {
            throw new ConfigException(config.origin(), line, key, "abi file " + file + ": " + ex.getMessage());
        }
    }

    /** Everything that shapes the rows, but not the start block. */
    static String definitionHash(long chainId, EventSignature sig, List<Address> addresses, List<Column> columns) {
        return definitionHash(chainId, sig, addresses, columns, List.of());
    }

    /** Everything that shapes the rows, with parameter filters (none: the hash tables had before filters existed). */
    static String definitionHash(long chainId, EventSignature sig, List<Address> addresses, List<Column> columns,
            List<ParamFilter> params) {
        return definitionHash(chainId, sig, addresses, columns, params, null);
    }

    /** With the factory key a child table follows (null: none, the hash tables had before factories existed). */
    static String definitionHash(long chainId, EventSignature sig, List<Address> addresses, List<Column> columns,
            List<ParamFilter> params, String factory) {
        StringBuilder sb = new StringBuilder().append("chain=").append(chainId).append(";event=").append(sig.canonical());
        sig.params().forEach(p -> sb.append(";param=").append(p.name()).append(':').append(p.type()).append(p.indexed() ? ":i" : ""));
        sb.append(";anonymous=").append(sig.anonymous());
        addresses.stream().map(Address::hex).sorted(Comparator.naturalOrder()).forEach(a -> sb.append(";address=").append(a));
        columns.forEach(col -> sb.append(";column=").append(col.name()).append(':').append(col.sqlType()));
        sb.append(ParamFilters.describe(params));
        if (factory != null) sb.append(";factory=").append(factory);
        try {
            return Hex.encode(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)))
                    .substring(2, 34);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
