package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.StoredHeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table that lacks blocks of {@code (F, tip]} (added to the config, or reset, while the chain was at the tip)
 * catches them up from the stored headers, fetching each block's logs by its hash (ARCHITECTURE.md, data flow). Without this, those
 * blocks would stay missing from the table until {@code F} passed them and the range phase filled them.
 * Each batch is one transaction under the chain's epoch, which also checks the headers it used are still stored.
 */
final class CatchUp {
    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);
    /** Blocks caught up per step (one transaction): steps stay short for the tip and for shutdown. */
    static final int MAX_BLOCKS = 100;

    private final ChainSource source;
    private final EventStore store;
    private final LogRouter router;
    private final ChainSettings settings;

    CatchUp(ChainSource source, EventStore store, LogRouter router, ChainSettings settings) {
        this.source = source;
        this.store = store;
        this.router = router;
        this.settings = settings;
    }

    /** What a catch-up step did. */
    sealed interface Result {}

    /** No table lacks a block of {@code (F, tip]}. */
    record Done() implements Result {}

    /** A batch was committed. */
    record Advanced(Outcome.Advanced outcome) implements Result {}

    /** A stored block is not (or not yet) the node's: the tip phase goes first (it walks back if need be). */
    record Blocked(String why) implements Result {}

    /** Catches up the first table with a gap in {@code (f, tip]}. */
    Result run(List<EventTable> tables, long f, StoredHeader tip, long epoch) {
        for (EventTable t : tables) {
            long from = Math.max(f + 1, t.startBlock());
            long last = Children.plannableThrough(store, t, tip.number()); // a child table: not past its factory's table
            if (from > last) continue;
            List<Span> gaps = store.uncovered(t, from, last);
            if (gaps.isEmpty()) continue;
            Span gap = gaps.get(0);
            Span span = new Span(gap.from(), Math.min(gap.to(), gap.from() + MAX_BLOCKS - 1));
            List<StoredHeader> headers = new ArrayList<>((int) span.size());
            Map<Long, StoredHeader> byNumber = new HashMap<>();
            List<Log> logs = new ArrayList<>();
            for (long n = span.from(); n <= span.to(); n++) {
                final long number = n;
                // gone: a concurrent rollback removed it; the next step plans again
                StoredHeader h = store.header(settings.chainId(), n).orElseThrow(() -> new TipMovedException(
                        "stored header #" + number + " is gone (rolled back meanwhile)"));
                try { // checked against the bloom of the block the endpoint gives with the logs: the database keeps none
                    logs.addAll(source.blockLogs(h, t.filter()));
                } catch (BlockGoneException e) {
                    return new Blocked(e.getMessage());
                }
                headers.add(h);
                byNumber.put(n, h);
            }
            // a child table's filter names no address: the stored children by the span's end keep its rows
            Children children = Children.load(store, settings.chainId(), List.of(t), span.to());
            List<TableRows> routed = TxColumns.attach(source, router.route(List.of(t), logs, byNumber::get, children));
            TableRows rows = routed.get(0);
            store.commitCatchUp(settings.chainId(), epoch, headers, rows);
            log.info("catchup.done chain={} source={} table={} span={} rows={}", settings.name(), t.sourceName(), t,
                    span, rows.rows().size());
            return new Advanced(new Outcome.Advanced(span.size(), rows.rows().size(), tip.number()));
        }
        return new Done();
    }
}
