package dev.evmindexer.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code backfill --from A --to B}: the range phase's planner on {@code [A, min(B, F)] - coverage}
 * (or the whole of it with {@code force}, deleting and rewriting each range). Never writes above
 * {@code F}; safe beside a running daemon (every commit checks the epoch) and after a crash.
 *
 * <p>{@link #run} may be called again after it failed (the caller retries transient failures): it re-plans from
 * coverage, and a forced rewrite resumes at the first batch that did not complete. A halted chain is refused.
 */
public final class Backfill {
    private static final Logger log = LoggerFactory.getLogger(Backfill.class);

    /** What a backfill did: the highest block it could fill ({@code min(B, F)}), blocks and rows written. */
    public record Result(long filledTo, long blocks, long rows) {}

    /** How often a backfill whose remaining units other processes hold looks again. */
    static final java.time.Duration OTHERS_POLL = java.time.Duration.ofSeconds(1);

    private final ChainSource source;
    private final EventStore store;
    private final List<EventTable> tables;
    private final ChainSettings settings;
    private final RangePhase ranges;
    /** Blocks and rows committed by every run of this backfill, retries included. */
    private final AtomicLong blocks = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private final ReentrantLock progressLock = new ReentrantLock();
    /** With {@code force}: the first block not yet rewritten, kept across retries ({@code -1}: not started). */
    private long forcedFrom = -1;

    public Backfill(ChainSource source, EventStore store, List<EventTable> tables, ChainSettings settings, LogRouter router) {
        this.source = source;
        this.store = store;
        this.tables = List.copyOf(tables);
        this.settings = settings;
        this.ranges = new RangePhase(source, store, router, settings);
    }

    /** Blocks committed so far by every run of this backfill. */
    public long blocksDone() {
        return blocks.get();
    }

    public Result run(long from, long to, boolean force, Progress progress) throws InterruptedException {
        long chainId = settings.chainId();
        store.finalityRule(chainId, settings.finalityRule());
        ChainState state = unhalted(chainId);
        // moves F only while no `run` leads the chain (the leader owns F); either way the stored F is the limit
        store.advanceFinalized(chainId, Math.max(state.finalized(), settings.finalizedFrom(source.heads())));
        long f = store.chain(chainId).finalized();
        long limit = Math.min(to, f);
        if (forcedFrom < 0) forcedFrom = from;
        long total = blocks.get();
        for (EventTable t : tables) {
            long start = Math.max(force ? forcedFrom : from, t.startBlock());
            long last = t.through(limit);
            if (start > last) continue;
            total += force ? last - start + 1 : store.uncovered(t, start, last).stream().mapToLong(Span::size).sum();
        }
        long planned = total;
        requireFactoriesBefore(force ? forcedFrom : from, limit);
        RangePhase.PieceListener listener = (b, r) -> {
            progressLock.lock();
            try {
                progress.report(blocks.addAndGet(b), rows.addAndGet(r), planned);
            } finally {
                progressLock.unlock();
            }
        };
        if (!force) {
            fill(from, limit, listener);
        } else {
            // resumed after a failure: what was rewritten before it may have been rolled back meanwhile (coverage says)
            if (forcedFrom > from) fill(from, Math.min(limit, forcedFrom - 1), listener);
            while (true) {
                ChainState now = unhalted(chainId);
                List<RangePhase.Unit> units = forcedUnits(forcedFrom, limit);
                if (units.isEmpty()) break;
                ranges.run(units, now.epoch(), true, listener);
                forcedFrom = units.stream().mapToLong(u -> u.span().to()).max().getAsLong() + 1;
            }
        }
        // a table's indexes are built once its coverage reaches F from its start block, by whichever process gets there
        store.ensureIndexes(tables.stream().filter(t -> t.startBlock() > f || store.uncovered(t, t.startBlock(), t.through(f)).isEmpty())
                .toList());
        log.info("backfill.done chain={} from={} to={} filled_to={} rows={}", settings.name(), from, to, limit, rows.get());
        return new Result(limit, blocks.get(), rows.get());
    }

    /** {@code [from, to] - coverage}, re-planned until nothing is left (each batch under the epoch it was planned in). */
    private void fill(long from, long to, RangePhase.PieceListener listener) throws InterruptedException {
        while (true) {
            ChainState now = unhalted(settings.chainId());
            List<RangePhase.Unit> units = ranges.plan(tables, from, to, settings.rangesPerStep());
            if (units.isEmpty()) {
                if (!ranges.pending(tables, from, to)) return;
                // other processes hold what is left: wait for their commits (or for their claims to expire)
                Thread.sleep(OTHERS_POLL.toMillis());
                continue;
            }
            ranges.run(units, now.epoch(), false, listener);
        }
    }

    /**
     * A child table's blocks from {@code from} on need its factory's table covered from the factory's start block up
     * to them (the planner waits for it: {@link Children#plannableThrough}); a gap below {@code from}, which this
     * backfill does not fill, would make it wait for ever, so it is refused with the way out.
     */
    private void requireFactoriesBefore(long from, long limit) {
        for (EventTable t : tables) {
            if (t.factory() == null || t.through(limit) < Math.max(from, t.startBlock())) continue;
            EventTable f = t.factory().factoryTable();
            long below = Math.min(from - 1, f.through(limit));
            if (below < f.startBlock()) continue;
            List<Span> gaps = store.uncovered(f, f.startBlock(), below);
            if (!gaps.isEmpty()) {
                throw new IllegalStateException("table " + t.qualifiedName() + " follows the children of factory table "
                        + f.qualifiedName() + ", which lacks blocks " + gaps.get(0) + " below --from " + from
                        + ": backfill from the factory's start block " + f.startBlock() + " (or let the daemon fill it) first");
            }
        }
    }

    /** The chain's state; a halted chain is refused. */
    private ChainState unhalted(long chainId) {
        ChainState state = store.chain(chainId);
        if (state.halted()) throw new ChainHaltedException(settings.name(), state.haltedReason().get());
        return state;
    }

    private List<RangePhase.Unit> forcedUnits(long from, long limit) {
        List<RangePhase.Unit> units = new ArrayList<>();
        for (long a = from; a <= limit && units.size() < settings.rangesPerStep(); a += settings.rangeSize()) {
            Span span = new Span(a, Math.min(limit, a + settings.rangeSize() - 1));
            for (EventTable t : tables) {
                if (span.to() < t.startBlock() || span.from() > t.endBlock()) continue;
                // a child table: only as far as its factory's table is covered (the children are read from it)
                long last = Children.plannableThrough(store, t, span.to());
                if (last < Math.max(span.from(), t.startBlock())) continue;
                units.add(new RangePhase.Unit(t, new Span(Math.max(span.from(), t.startBlock()), last)));
            }
        }
        return units;
    }

    /**
     * Called after every committed piece with running totals (serialised: one call at a time); {@code total} is the
     * table-blocks planned at start.
     */
    @FunctionalInterface
    public interface Progress {
        void report(long blocks, long rows, long total);
    }
}
