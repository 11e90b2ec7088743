package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The range phase: fills {@code [start, limit] - coverage} of each table with ranges fetched
 * concurrently (virtual threads, at most {@code fetchers} in flight) and committed in any order, each in
 * its own transaction. Nothing here writes above the chain's persisted finalized block: the store
 * refuses it.
 */
final class RangePhase {
    private static final Logger log = LoggerFactory.getLogger(RangePhase.class);

    private final ChainSource source;
    private final EventStore store;
    private final LogRouter router;
    private final ChainSettings settings;

    RangePhase(ChainSource source, EventStore store, LogRouter router, ChainSettings settings) {
        this.source = source;
        this.store = store;
        this.router = router;
        this.settings = settings;
    }

    /** One unit of range work: a span of one table. */
    record Unit(EventTable table, Span span) {}

    /** The units left for {@code [from of each table, limit]}, in ascending order, at most {@code max}. */
    List<Unit> plan(List<EventTable> tables, long from, long limit, int max) {
        List<Unit> units = new ArrayList<>();
        for (EventTable t : tables) {
            long start = Math.max(t.startBlock(), from);
            if (start > limit) continue;
            for (Span gap : store.uncovered(t, start, limit)) {
                for (long a = gap.from(); a <= gap.to() && units.size() < max; a += settings.rangeSize()) {
                    units.add(new Unit(t, new Span(a, Math.min(gap.to(), a + settings.rangeSize() - 1))));
                }
            }
        }
        return units;
    }

    /**
     * Fetches and commits {@code units} concurrently. Returns rows written; the first failure is thrown
     * after the in-flight units finished (their commits stand: each is complete on its own).
     */
    long run(List<Unit> units, long epoch, boolean force) throws InterruptedException {
        Semaphore slots = new Semaphore(settings.fetchers());
        List<Future<Long>> futures = new ArrayList<>(units.size());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Unit u : units) {
                slots.acquire();
                if (futures.stream().anyMatch(f -> f.isDone() && failed(f))) {
                    slots.release();
                    break;
                }
                futures.add(pool.submit(() -> {
                    try {
                        return fetchAndCommit(u, epoch, force);
                    } finally {
                        slots.release();
                    }
                }));
            }
        }
        long rows = 0;
        for (Future<Long> f : futures) {
            try {
                rows += f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new IllegalStateException("range fetch failed: " + e.getCause(), e.getCause());
            }
        }
        return rows;
    }

    private long fetchAndCommit(Unit u, long epoch, boolean force) {
        RangeLogs answer = source.rangeLogs(u.span().from(), u.span().to(), u.table().filter());
        List<TableRows> rows = router.route(List.of(u.table()), answer.logs(), n -> headerOf(answer, n));
        long count = store.commitRange(settings.chainId(), epoch, u.span(), rows, force);
        log.debug("range.done chain={} source={} table={} span={} rows={}", settings.name(), u.table().sourceName(),
                u.table(), u.span(), count);
        return count;
    }

    private static BlockHeader headerOf(RangeLogs answer, long number) {
        BlockHeader h = answer.headers().get(number);
        if (h == null) throw new SourceException("range answer lacks the header of block " + number);
        return h;
    }

    private static boolean failed(Future<Long> f) {
        return f.state() == Future.State.FAILED;
    }
}
