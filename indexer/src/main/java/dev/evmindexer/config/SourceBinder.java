package dev.evmindexer.config;

import dev.evmindexer.eth.Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One entry of {@code sources}, with its events. */
final class SourceBinder {
    static final List<String> KEYS = List.of("name", "chain", "addresses", "start_block", "end_block", "abi", "events",
            "table_pattern");
    /** Keys of {@code addresses: {factory: .., event: .., parameter: ..}}. */
    static final List<String> FACTORY_KEYS = List.of("factory", "event", "parameter");
    static final List<String> EVENT_KEYS = List.of("signature", "abi", "name", "table", "columns", "indexes", "filter",
            "fields", "finalized_view");
    /** {@code finalized_view}: what the table's {@code _finalized} view shows (the default first). */
    static final List<String> FINALIZED_VIEWS = List.of("finalized", "reconciled");
    /** What {@code events: all} is spelled as. */
    static final String ALL = "all";
    /** Suffix of the view the store creates next to each event table. */
    static final String FINALIZED_VIEW_SUFFIX = "_finalized";

    private SourceBinder() {}

    /**
     * @param chains names of the configured chains
     * @param claims shared uniqueness checks (source names, tables)
     */
    static SourceConfig bind(Tree t, Set<String> chains, Claims claims) throws ConfigException {
        Mapping m = t.mapping(KEYS);
        Tree nameTree = m.required("name");
        String name = Identifiers.name(nameTree);
        claims.claim("source name", name, nameTree);
        List<String> sourceChains = chains(m.required("chain"), chains);
        FactoryRef factory = factory(m);
        List<Address> addresses = factory == null ? addresses(m) : List.of();
        long startBlock = 0;
        Optional<Tree> start = m.get("start_block");
        if (start.isPresent()) startBlock = start.get().integer(0, Long.MAX_VALUE);
        long endBlock = SourceConfig.NO_END;
        Optional<Tree> end = m.get("end_block");
        if (end.isPresent()) {
            endBlock = end.get().integer(0, Long.MAX_VALUE - 1);
            if (endBlock < startBlock) throw end.get().error("end_block " + endBlock + " is before start_block " + startBlock);
        }
        Path abi = m.get("abi").isPresent() ? path(m.get("abi").get()) : null;
        Tree eventsTree = m.required("events");
        Optional<Tree> pattern = m.get("table_pattern");
        if (eventsTree.isScalar()) {
            if (!eventsTree.text().strip().equals(ALL)) {
                throw eventsTree.error("expected a list of events, or \"all\" for every event of the source's abi");
            }
            if (abi == null) throw eventsTree.error("events: all needs the source's abi (a JSON ABI or Foundry/Hardhat artifact file)");
            if (pattern.isEmpty()) {
                throw eventsTree.error("events: all needs table_pattern, e.g. \"" + name.replaceAll("[^A-Za-z0-9_]", "_").toLowerCase(java.util.Locale.ROOT)
                        + "_{event}\" ({event} becomes each event's snake_case name)");
            }
            String p = pattern.get().text().strip();
            if (!p.contains(SourceConfig.EVENT_PLACEHOLDER)) throw pattern.get().error("must contain {event}, got " + Tree.show(p));
            String sample = p.replace(SourceConfig.EVENT_PLACEHOLDER, "x");
            if (!sample.matches("[a-z_][a-z0-9_]*")) {
                throw pattern.get().error("with {event} replaced it must be a valid table name (lower-case letters, digits and _), got "
                        + Tree.show(p));
            }
            return new SourceConfig(name, sourceChains, addresses, startBlock, List.of(), t.line(), abi, true, p, endBlock, factory);
        }
        if (pattern.isPresent()) throw pattern.get().error("only used with events: all");
        List<EventConfig> events = events(eventsTree, abi != null, sourceChains, claims);
        return new SourceConfig(name, sourceChains, addresses, startBlock, events, t.line(), abi, false, null, endBlock, factory);
    }

    /** {@code chain: mainnet}, or {@code chain: [mainnet, base]} for the same events on several chains. */
    private static List<String> chains(Tree tree, Set<String> configured) throws ConfigException {
        List<Tree> entries = tree.isScalar() ? List.of(tree) : tree.list();
        if (entries.isEmpty()) throw tree.error("empty list: name at least one chain");
        List<String> out = new ArrayList<>();
        Claims seen = new Claims();
        for (Tree entry : entries) {
            String chain = entry.text().strip();
            if (!configured.contains(chain)) {
                throw entry.error("unknown chain " + Tree.show(chain) + Mapping.suggestion(chain, List.copyOf(configured))
                        + "; configured chains: " + String.join(", ", configured));
            }
            seen.claim("chain", chain, entry);
            out.add(chain);
        }
        return out;
    }

    /**
     * {@code addresses: {factory: <source>, event: <event>, parameter: <name>}}, or null for a list (or none). The source
     * is checked by {@link #checkFactories}, the event and parameter once events are parsed.
     */
    private static FactoryRef factory(Mapping m) throws ConfigException {
        Optional<Tree> tree = m.get("addresses");
        if (tree.isEmpty() || tree.get().isScalar() || !(tree.get().node() instanceof org.yaml.snakeyaml.nodes.MappingNode)) return null;
        Mapping f = tree.get().mapping(FACTORY_KEYS);
        return new FactoryRef(Identifiers.name(f.required("factory")), f.required("event").text().strip(),
                f.required("parameter").text().strip(), tree.get().line(), tree.get().path());
    }

    /**
     * Each factory a source names is another source, on every chain of the child (the children are that chain's), and
     * following factories never comes back to where it started.
     */
    static void checkFactories(List<SourceConfig> sources, String origin) throws ConfigException {
        Map<String, SourceConfig> byName = new LinkedHashMap<>();
        for (SourceConfig s : sources) byName.put(s.name(), s);
        for (SourceConfig s : sources) {
            FactoryRef f = s.factory();
            if (f == null) continue;
            SourceConfig parent = byName.get(f.source());
            if (parent == null) {
                throw new ConfigException(origin, f.line(), f.key() + ".factory", "unknown factory source " + Tree.show(f.source())
                        + Mapping.suggestion(f.source(), List.copyOf(byName.keySet())) + "; sources: " + String.join(", ", byName.keySet()));
            }
            for (String chain : s.chains()) {
                if (!parent.chains().contains(chain)) {
                    throw new ConfigException(origin, f.line(), f.key() + ".factory", "factory source " + Tree.show(f.source())
                            + " is not on chain " + chain + " (it is on " + String.join(", ", parent.chains())
                            + "): children are followed on their factory's chain");
                }
            }
            List<String> path = new ArrayList<>(List.of(s.name()));
            for (SourceConfig at = parent; at != null; at = at.factory() == null ? null : byName.get(at.factory().source())) {
                path.add(at.name());
                if (at.name().equals(s.name())) {
                    throw new ConfigException(origin, f.line(), f.key() + ".factory", "factories form a cycle: "
                            + String.join(" -> ", path) + " (each takes its addresses from the next)");
                }
                if (path.size() > byName.size() + 1) break; // a cycle not through s: reported at one of its own sources
            }
        }
    }

    /** Absent means every contract; an explicit empty list is refused as a likely mistake. */
    private static List<Address> addresses(Mapping m) throws ConfigException {
        Optional<Tree> list = m.get("addresses");
        if (list.isEmpty()) return List.of();
        List<Tree> entries = list.get().list();
        if (entries.isEmpty()) {
            throw list.get().error("empty list: omit addresses to index the logs of every contract");
        }
        List<Address> out = new ArrayList<>(entries.size());
        Claims seen = new Claims();
        for (Tree entry : entries) {
            Address a = Identifiers.address(entry);
            seen.claim("address", a.hex(), entry);
            out.add(a);
        }
        return out;
    }

    private static List<EventConfig> events(Tree list, boolean sourceAbi, List<String> chains, Claims claims)
            throws ConfigException {
        List<Tree> entries = list.list();
        if (entries.isEmpty()) throw list.error("must list at least one event");
        List<EventConfig> out = new ArrayList<>(entries.size());
        for (Tree entry : entries) {
            Mapping e = entry.mapping(EVENT_KEYS);
            Optional<Tree> signatureTree = e.get("signature");
            Optional<Tree> nameTree = e.get("name");
            Optional<Tree> abiTree = e.get("abi");
            if (e.has("signature") && e.has("name")) {
                throw nameTree.orElse(entry).error("give either signature or name (an event of an abi), not both");
            }
            if (!e.has("signature") && !e.has("name")) {
                throw new ConfigException(entry.context().origin(), entry.line(), e.childPath("signature"),
                        "required key is missing (or give name: an event of the abi)");
            }
            if (nameTree.isEmpty()) signatureTree = Optional.of(e.required("signature"));
            String signature = null;
            String eventName = null;
            Path abi = null;
            if (signatureTree.isPresent()) {
                signature = signatureTree.get().text().strip();
                if (signature.isEmpty()) throw signatureTree.get().error("must not be empty");
                if (abiTree.isPresent()) throw abiTree.get().error("only used with name; signature gives the event itself");
            } else {
                eventName = e.required("name").text().strip();
                if (abiTree.isPresent()) abi = path(abiTree.get());
                else if (!sourceAbi) throw nameTree.get().error("an event given by name needs an abi file, here or in the source");
            }
            Tree tableTree = e.required("table");
            String table = Identifiers.sql(tableTree);
            if (table.startsWith("pg_")) {
                throw tableTree.error("table names starting with pg_ are PostgreSQL's catalog names (" + table + " would "
                        + "shadow the catalog for unqualified queries); choose another one");
            }
            for (String chain : chains) claims.claimTable(table, chain, tableTree);
            out.add(new EventConfig(signature, abi, eventName, table, columns(e.get("columns")), indexes(e.get("indexes")),
                    entry.line(), filter(e.get("filter")), fields(e.get("fields")), reconciledView(e.get("finalized_view"))));
        }
        return out;
    }

    /** {@code finalized_view: finalized} (the default) or {@code reconciled}. */
    private static boolean reconciledView(Optional<Tree> tree) throws ConfigException {
        if (tree.isEmpty()) return false;
        String v = tree.get().text().strip();
        if (!FINALIZED_VIEWS.contains(v)) {
            throw tree.get().error("expected \"finalized\" (rows at or below the finalized block, the default) or "
                    + "\"reconciled\" (only rows reconciliation confirmed), got " + Tree.show(v));
        }
        return v.equals("reconciled");
    }

    /** {@code columns:}: generated column name to the name to use instead. Both are checked when the event is known. */
    private static Map<String, String> columns(Optional<Tree> tree) throws ConfigException {
        if (tree.isEmpty()) return Map.of();
        Mapping m = tree.get().mapping(null);
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : m.keys()) {
            Tree to = m.required(key);
            out.put(key, Identifiers.sql(to));
        }
        return out;
    }

    /**
     * {@code filter: {to: 0x.., value: [1, 2]}}: parameter name to one value or a non-empty list of them, kept as text
     * (checked against the event's parameters and types by the caller).
     */
    private static List<EventConfig.Filter> filter(Optional<Tree> tree) throws ConfigException {
        if (tree.isEmpty()) return List.of();
        Mapping m = tree.get().mapping(null);
        if (m.keys().isEmpty()) throw tree.get().error("empty filter: omit filter to keep every log of the event");
        List<EventConfig.Filter> out = new ArrayList<>();
        for (String param : m.keys()) {
            Tree v = m.required(param);
            List<String> values = new ArrayList<>();
            if (v.isScalar()) {
                values.add(filterValue(v));
            } else {
                for (Tree item : v.list()) values.add(filterValue(item));
                if (values.isEmpty()) throw v.error("empty list: give at least one value");
            }
            out.add(new EventConfig.Filter(param, values, v.line()));
        }
        return out;
    }

    /**
     * {@code fields: [tx_from, block_base_fee]}: extra columns from the log's transaction, receipt or block, each a
     * known name ({@link TxField}), each once.
     */
    private static List<TxField> fields(Optional<Tree> tree) throws ConfigException {
        if (tree.isEmpty()) return List.of();
        List<Tree> entries = tree.get().isScalar() ? List.of(tree.get()) : tree.get().list();
        if (entries.isEmpty()) throw tree.get().error("empty list: omit fields to add no transaction or block columns");
        List<TxField> out = new ArrayList<>(entries.size());
        Claims seen = new Claims();
        for (Tree entry : entries) {
            String name = entry.text().strip();
            TxField f = TxField.named(name).orElseThrow(() -> entry.error("unknown field " + Tree.show(name)
                    + Mapping.suggestion(name, TxField.names()) + "; known fields: " + String.join(", ", TxField.names())));
            seen.claim("field", name, entry);
            out.add(f);
        }
        return out;
    }

    /** A filter value as text; one written as an address must carry a valid EIP-55 checksum if mixed-case, as addresses do. */
    private static String filterValue(Tree t) throws ConfigException {
        String s = t.text().strip();
        if (s.matches("0[xX][0-9a-fA-F]{40}")) Identifiers.address(t);
        return s;
    }

    /** {@code indexes: [[from], [to, block_number]]}: each a non-empty list of column names, no duplicates. */
    private static List<List<String>> indexes(Optional<Tree> tree) throws ConfigException {
        if (tree.isEmpty()) return List.of();
        List<List<String>> out = new java.util.ArrayList<>();
        for (Tree index : tree.get().list()) {
            List<String> columns = new java.util.ArrayList<>();
            for (Tree column : index.list()) {
                String name = Identifiers.sql(column);
                if (columns.contains(name)) throw column.error("column '" + name + "' twice in one index");
                columns.add(name);
            }
            if (columns.isEmpty()) throw index.error("an index needs at least one column");
            if (out.contains(columns)) throw index.error("the same index twice: " + columns);
            out.add(List.copyOf(columns));
        }
        return out;
    }

    /** A file path, relative to the config file's directory. */
    private static Path path(Tree t) throws ConfigException {
        String s = t.text().strip();
        try {
            Path p = Path.of(s);
            if (p.isAbsolute()) return p;
            Path dir = Path.of(t.context().origin()).toAbsolutePath().getParent();
            return dir == null ? p.toAbsolutePath() : dir.resolve(p).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw t.error("not a file path: " + Tree.show(s));
        }
    }
}
