package dev.evmindexer.pipeline;

import dev.evmindexer.abi.Decoded;
import dev.evmindexer.abi.RejectReason;
import dev.evmindexer.eth.Header;
import dev.evmindexer.eth.Log;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes logs into the tables that want them. A log that does not fit an event's shape (e.g. an
 * ERC-721 Transfer, which shares ERC-20's topic0 but has four topics) is not written to that table: it
 * is counted and logged at debug, and never fails the batch.
 */
public final class LogRouter {
    private static final Logger log = LoggerFactory.getLogger(LogRouter.class);

    private final LongAdder rejected = new LongAdder();
    /** Per chain and table (a table may hold several chains' rows), one counter per {@link RejectReason} ordinal. */
    private final Map<String, Map<RejectReason, LongAdder>> rejectedByTable = new ConcurrentHashMap<>();

    /** Total logs rejected by a decoder since start. */
    public long rejected() {
        return rejected.sum();
    }

    /** Logs of {@code table} rejected for {@code reason} since start (metrics read this; pipeline stays metric-free). */
    public long rejected(EventTable table, RejectReason reason) {
        Map<RejectReason, LongAdder> counts = rejectedByTable.get(key(table));
        return counts == null ? 0 : counts.get(reason).sum();
    }

    private void countReject(EventTable table, RejectReason reason) {
        rejected.increment();
        rejectedByTable.computeIfAbsent(key(table), k -> {
            Map<RejectReason, LongAdder> counts = new EnumMap<>(RejectReason.class);
            for (RejectReason r : RejectReason.values()) counts.put(r, new LongAdder());
            return counts; // filled before it is published, only read after: safe to share across threads
        }).get(reason).increment();
    }

    /**
     * Rows for each of {@code tables} (every table appears, possibly with no rows, so its coverage can
     * advance), from {@code logs} in chain order. {@code headerOf} gives a block's header (a node's or a stored one: only
     * its timestamp is read).
     */
    public List<TableRows> route(List<EventTable> tables, List<Log> logs, LongFunction<? extends Header> headerOf) {
        return route(tables, logs, headerOf, Children.none());
    }

    /**
     * As {@link #route(List, List, LongFunction)}, where a factory's child table keeps only logs of contracts
     * {@code children} holds by the log's block. The children the factory tables among {@code tables} route here are
     * added to {@code children} before the child tables are routed, so a child created in these logs is followed from
     * its creation block, even in the same block or transaction (the tip phase routes one block at a time).
     */
    public List<TableRows> route(List<EventTable> tables, List<Log> logs, LongFunction<? extends Header> headerOf,
            Children children) {
        Map<EventTable, List<EventRow>> byTable = new LinkedHashMap<>();
        for (EventTable t : tables) byTable.put(t, new ArrayList<>());
        // in passes: a table after the table of its factory (factories of factories included), each pass's factory
        // rows adding their children before the next pass routes the tables following them
        List<EventTable> left = new ArrayList<>(tables);
        java.util.Set<String> routed = new java.util.HashSet<>();
        while (!left.isEmpty()) {
            List<EventTable> pass = left.stream().filter(t -> t.factory() == null || routed.contains(factoryName(t))
                    || left.stream().noneMatch(o -> o.qualifiedName().equals(factoryName(t)))).toList();
            if (pass.isEmpty()) pass = List.copyOf(left); // cannot happen: the config refuses cycles
            routeInto(byTable, pass, logs, headerOf, children);
            List<TableRows> factories = new ArrayList<>();
            for (EventTable t : pass) {
                if (!t.childSources().isEmpty()) factories.add(new TableRows(t, byTable.get(t)));
                routed.add(t.qualifiedName());
            }
            children.addFrom(factories);
            left.removeAll(pass);
        }
        List<TableRows> out = new ArrayList<>(byTable.size());
        byTable.forEach((t, rows) -> out.add(new TableRows(t, rows)));
        return out;
    }

    private void routeInto(Map<EventTable, List<EventRow>> byTable, List<EventTable> tables, List<Log> logs,
            LongFunction<? extends Header> headerOf, Children children) {
        if (tables.isEmpty()) return;
        for (Log l : logs) {
            for (EventTable t : tables) {
                if (!t.wants(l) || !children.allows(t, l)) continue;
                switch (t.decoder().decode(l)) {
                    case Decoded.Row row -> {
                        // several tables may share one call (union): each keeps only what its own filters allow
                        if (t.keeps(l)) byTable.get(t).add(new EventRow(l, headerOf.apply(l.blockNumber()).timestamp(), row.values()));
                    }
                    case Decoded.Rejected r -> {
                        countReject(t, r.reason());
                        log.debug("decode.reject source={} table={} {} reason={} {}", t.sourceName(), t.qualifiedName(), l,
                                r.reason().metricName(), r.detail());
                    }
                }
            }
        }
    }

    /**
     * The union filter for fetching one block's logs for all {@code tables} in one call. Topic positions after topic0
     * are dropped (tables' topic filters do not combine into one call): {@link #route} applies each table's own.
     */
    public static LogFilter union(List<EventTable> tables) {
        boolean anyAddress = tables.stream().anyMatch(t -> t.filter().addresses().isEmpty());
        boolean anyTopic = tables.stream().anyMatch(t -> t.filter().topic0s().isEmpty());
        var addresses = anyAddress ? List.<dev.evmindexer.eth.Address>of()
                : tables.stream().flatMap(t -> t.filter().addresses().stream()).distinct().toList();
        var topics = anyTopic ? List.<dev.evmindexer.eth.Hash>of()
                : tables.stream().flatMap(t -> t.filter().topic0s().stream()).distinct().toList();
        return new LogFilter(addresses, topics);
    }

    private static String factoryName(EventTable t) {
        return t.factory().factoryTable().qualifiedName();
    }

    private static String key(EventTable table) {
        return table.chainId() + ":" + table.qualifiedName();
    }
}
