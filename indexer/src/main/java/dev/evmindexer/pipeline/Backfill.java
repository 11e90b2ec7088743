package dev.evmindexer.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code backfill --from A --to B}: the range phase's planner on {@code [A, min(B, F)] - coverage}
 * (or the whole of it with {@code force}, deleting and rewriting each range). Never writes above
 * {@code F}; safe beside a running daemon (every commit checks the epoch) and after a crash.
 */
public final class Backfill {
    private static final Logger log = LoggerFactory.getLogger(Backfill.class);

    /** What a backfill did: the highest block it could fill ({@code min(B, F)}), blocks and rows written. */
    public record Result(long filledTo, long blocks, long rows) {}

    private final ChainSource source;
    private final EventStore store;
    private final List<EventTable> tables;
    private final ChainSettings settings;
    private final RangePhase ranges;

    public Backfill(ChainSource source, EventStore store, List<EventTable> tables, ChainSettings settings, LogRouter router) {
        this.source = source;
        this.store = store;
        this.tables = List.copyOf(tables);
        this.settings = settings;
        this.ranges = new RangePhase(source, store, router, settings);
    }

    public Result run(long from, long to, boolean force, Progress progress) throws InterruptedException {
        long chainId = settings.chainId();
        long f = Math.max(store.chain(chainId).finalized(), settings.finalizedFrom(source.heads()));
        store.advanceFinalized(chainId, f);
        long limit = Math.min(to, f);
        long total = 0;
        for (EventTable t : tables) {
            long start = Math.max(from, t.startBlock());
            if (start > limit) continue;
            total += force ? limit - start + 1 : store.uncovered(t, start, limit).stream().mapToLong(Span::size).sum();
        }
        long blocks = 0;
        long rows = 0;
        long forcedFrom = from;
        while (true) {
            long epoch = store.chain(chainId).epoch();
            List<RangePhase.Unit> units;
            if (force) {
                units = forcedUnits(forcedFrom, limit);
                if (!units.isEmpty()) forcedFrom = units.getLast().span().to() + 1;
            } else {
                units = ranges.plan(tables, from, limit, settings.rangesPerStep());
            }
            if (units.isEmpty()) break;
            rows += ranges.run(units, epoch, force);
            blocks += units.stream().mapToLong(u -> u.span().size()).sum();
            progress.report(blocks, rows, total);
        }
        store.ensureIndexes(tables);
        log.info("backfill.done chain={} from={} to={} filled_to={} rows={}", settings.name(), from, to, limit, rows);
        return new Result(limit, blocks, rows);
    }

    private List<RangePhase.Unit> forcedUnits(long from, long limit) {
        List<RangePhase.Unit> units = new ArrayList<>();
        for (long a = from; a <= limit && units.size() < settings.rangesPerStep(); a += settings.rangeSize()) {
            Span span = new Span(a, Math.min(limit, a + settings.rangeSize() - 1));
            for (EventTable t : tables) {
                if (span.to() < t.startBlock()) continue;
                units.add(new RangePhase.Unit(t, new Span(Math.max(span.from(), t.startBlock()), span.to())));
            }
        }
        return units;
    }

    /** Called after every batch of ranges with running totals; {@code total} is the table-blocks planned at start. */
    @FunctionalInterface
    public interface Progress {
        void report(long blocks, long rows, long total);
    }
}
