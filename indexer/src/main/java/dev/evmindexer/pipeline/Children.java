package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Log;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The child sets of a chain's factories as known at some block: per factory key, each child with its creation block.
 * A child table keeps a log only when its address is a child created at or before the log's block ({@link #allows});
 * so a fetch may ask for more (every contract's logs with the event's topic0) and stay exact. Not thread-safe to
 * change; a snapshot shared by range fetchers is only read.
 */
public final class Children {
    private final Map<String, Map<Address, Long>> byKey = new HashMap<>();

    /** No children known: child tables keep nothing. */
    public static Children none() {
        return new Children();
    }

    /** The children of the factories of {@code tables} created at or before {@code upTo}, from the store. */
    public static Children load(EventStore store, long chainId, Collection<EventTable> tables, long upTo) {
        Children out = new Children();
        for (String key : keys(tables)) {
            Map<Address, Long> set = out.byKey.computeIfAbsent(key, k -> new HashMap<>());
            for (Child c : store.children(chainId, key, upTo)) set.merge(c.address(), c.block(), Math::min);
        }
        return out;
    }

    /** The JVM system property that overrides {@link #ADDRESS_LIST_MAX} (the benchmark forces each mode with it). */
    public static final String ADDRESS_LIST_MAX_PROPERTY = "evmindexer.factory.address_list_max";

    /**
     * Above this many children a child table's range units are fetched by topic (every contract's logs of the event,
     * kept by {@link #allows}) rather than by address list: measured with {@code scripts/bench --factory-children N}
     * (README, factories).
     */
    public static final int ADDRESS_LIST_MAX = Integer.getInteger(ADDRESS_LIST_MAX_PROPERTY, 10_000);

    /**
     * The filter to fetch {@code t}'s logs with given {@code children}: its own for a table without factory; for a
     * child table, its topics with the children's addresses (at most {@link #ADDRESS_LIST_MAX}, the source splits them
     * per call), or without addresses above that; null when the child set is empty (nothing to fetch).
     */
    public static LogFilter fetchFilter(EventTable t, Children children) {
        if (t.factory() == null) return t.filter();
        int n = children.count(t.factory().key());
        if (n == 0) return null;
        if (n > ADDRESS_LIST_MAX) return t.filter();
        List<Address> addresses = children.addresses(t.factory().key());
        addresses.sort(java.util.Comparator.comparing(Address::hex));
        return new LogFilter(addresses, t.filter().topic0s(), t.filter().topics());
    }

    /**
     * The last block of {@code [.., limit]} the range phase may plan for {@code t}: {@link EventTable#through}, and for a
     * child table no further than its factory's table is covered without a gap from the factory's start block, so a
     * unit is never fetched with a child set older than the unit (ARCHITECTURE.md, factories).
     */
    public static long plannableThrough(EventStore store, EventTable t, long limit) {
        long last = t.through(limit);
        if (t.factory() == null) return last;
        EventTable f = t.factory().factoryTable();
        if (f.startBlock() > last) return last; // no child can be known below the factory's start
        List<dev.evmindexer.pipeline.Span> gaps = store.uncovered(f, f.startBlock(), f.through(last));
        return gaps.isEmpty() ? last : Math.min(last, gaps.get(0).from() - 1);
    }

    /** The factory keys child tables among {@code tables} follow. */
    static Set<String> keys(Collection<EventTable> tables) {
        Set<String> keys = new LinkedHashSet<>();
        for (EventTable t : tables) if (t.factory() != null) keys.add(t.factory().key());
        return keys;
    }

    /** True for a table without a factory; for a child table, when {@code log}'s contract is a child by its block. */
    public boolean allows(EventTable t, Log log) {
        if (t.factory() == null) return true;
        Map<Address, Long> set = byKey.get(t.factory().key());
        Long created = set == null ? null : set.get(log.address());
        return created != null && created <= log.blockNumber();
    }

    /** Adds the children named by the factory rows among {@code routed} (a child already known keeps its first block). */
    public void addFrom(List<TableRows> routed) {
        for (TableRows tr : routed) {
            for (ChildSource cs : tr.table().childSources()) {
                Map<Address, Long> set = byKey.computeIfAbsent(cs.key(), k -> new HashMap<>());
                for (EventRow r : tr.rows()) set.merge(cs.childOf(r.log()), r.log().blockNumber(), Math::min);
            }
        }
    }

    /** Adds every child of {@code other} (a child known to both keeps the earlier block). */
    public void addAll(Children other) {
        other.byKey.forEach((key, set) -> {
            Map<Address, Long> mine = byKey.computeIfAbsent(key, k -> new HashMap<>());
            set.forEach((a, b) -> mine.merge(a, b, Math::min));
        });
    }

    /** The addresses of {@code key}'s children, in no particular order. */
    public List<Address> addresses(String key) {
        Map<Address, Long> set = byKey.get(key);
        return set == null ? List.of() : new ArrayList<>(set.keySet());
    }

    /** How many children {@code key} has. */
    public int count(String key) {
        Map<Address, Long> set = byKey.get(key);
        return set == null ? 0 : set.size();
    }
}
