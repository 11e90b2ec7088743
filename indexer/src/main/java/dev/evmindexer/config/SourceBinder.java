package dev.evmindexer.config;

import dev.evmindexer.eth.Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** One entry of {@code sources}, with its events. */
final class SourceBinder {
    static final List<String> KEYS = List.of("name", "chain", "addresses", "start_block", "events");
    static final List<String> EVENT_KEYS = List.of("signature", "table");
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
        Tree chainTree = m.required("chain");
        String chain = chainTree.text().strip();
        if (!chains.contains(chain)) {
            throw chainTree.error("unknown chain " + Tree.show(chain) + Mapping.suggestion(chain, List.copyOf(chains))
                    + "; configured chains: " + String.join(", ", chains));
        }
        List<Address> addresses = addresses(m);
        long startBlock = 0;
        Optional<Tree> start = m.get("start_block");
        if (start.isPresent()) startBlock = start.get().integer(0, Long.MAX_VALUE);
        List<EventConfig> events = events(m, claims);
        return new SourceConfig(name, chain, addresses, startBlock, events, t.line());
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

    private static List<EventConfig> events(Mapping m, Claims claims) throws ConfigException {
        Tree list = m.required("events");
        List<Tree> entries = list.list();
        if (entries.isEmpty()) throw list.error("must list at least one event");
        List<EventConfig> out = new ArrayList<>(entries.size());
        for (Tree entry : entries) {
            Mapping e = entry.mapping(EVENT_KEYS);
            Tree signatureTree = e.required("signature");
            String signature = signatureTree.text().strip();
            if (signature.isEmpty()) throw signatureTree.error("must not be empty");
            Tree tableTree = e.required("table");
            String table = Identifiers.sql(tableTree);
            claims.claimTable(table, tableTree);
            out.add(new EventConfig(signature, table, entry.line()));
        }
        return out;
    }
}
