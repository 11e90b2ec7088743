package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import java.time.Duration;
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
 * The range phase: fills {@code [start, limit] - coverage} of each table with units fetched concurrently (virtual
 * threads, at most {@code fetchers} in flight), each unit in pieces of one {@code eth_getLogs} call (sized by volume by
 * the source), each piece committed in its own transaction as soon as it arrives, in any order; coverage merges
 * adjacent pieces. Memory in flight is bounded by the {@link MemoryBudget}: a piece holds its reservation until its
 * commit. Nothing here writes above the chain's persisted finalized block: the store refuses it.
 */
final class RangePhase {
    private static final Logger log = LoggerFactory.getLogger(RangePhase.class);

    private final ChainSource source;
    private final EventStore store;
    private final LogRouter router;
    private final ChainSettings settings;
    private final MemoryBudget budget;
    /** This phase's name in the claims table: process, host and a number per phase. */
    private final String owner;
    private static final java.util.concurrent.atomic.AtomicInteger PHASES = new java.util.concurrent.atomic.AtomicInteger();
    private static final String PROCESS = ProcessHandle.current().pid() + "@" + hostName();

    RangePhase(ChainSource source, EventStore store, LogRouter router, ChainSettings settings) {
        this(source, store, router, settings, MemoryBudget.shared());
    }

    RangePhase(ChainSource source, EventStore store, LogRouter router, ChainSettings settings, MemoryBudget budget) {
        this.source = source;
        this.store = store;
        this.router = router;
        this.settings = settings;
        this.budget = budget;
        this.owner = PROCESS + "#" + PHASES.incrementAndGet();
        log.info("range.setup chain={} fetchers={} memory_budget_mb={} unit_blocks={}", settings.name(), settings.fetchers(),
                budget.total() >> 20, settings.rangeSize());
    }

    /** Told of every committed piece (from fetcher threads, concurrently): its blocks and rows. */
    @FunctionalInterface
    interface PieceListener {
        PieceListener NONE = (blocks, rows) -> {};

        void committed(long blocks, long rows);
    }

    /** One unit of range work: a span of one table. */
    record Unit(EventTable table, Span span) {}

    /**
     * The units left for {@code [from of each table, limit]} that this phase could claim, in ascending order, at most
     * {@code atMost} and at most one per fetcher. Gaps in coverage are cut on a grid of {@code rangeSize} blocks (unit boundaries at its multiples, so
     * processes with one config cut the same units); units another process holds are skipped (the store claims only
     * what is free). Fewer than {@link #UNITS_PER_FETCHER} units per fetcher (a short backfill, or the end of one) are
     * halved, largest first, so that fetchers that finish early find work left instead of waiting for the last long
     * unit. An empty plan with {@link #pending} true means other processes hold what is left.
     */
    List<Unit> plan(List<EventTable> tables, long from, long limit, int atMost) {
        // one unit per fetcher at a time: what a process claims it works on now, the rest is left to the others
        int max = Math.min(atMost, settings.fetchers());
        List<Unit> units = new ArrayList<>();
        for (EventTable t : tables) {
            long start = Math.max(t.startBlock(), from);
            // a table with end_block is not followed past it; a child table not past what its factory's table covers
            long last = Children.plannableThrough(store, t, limit);
            if (start > last) continue;
            List<Span> batch = new ArrayList<>();
            for (Span gap : store.uncovered(t, start, last)) {
                for (long a = gap.from(); a <= gap.to() && units.size() < max; ) {
                    long end = Math.min(gap.to(), (a / settings.rangeSize() + 1) * settings.rangeSize() - 1);
                    batch.add(new Span(a, end));
                    a = end + 1;
                    if (units.size() + batch.size() >= max) claimInto(units, t, batch);
                }
            }
            claimInto(units, t, batch);
        }
        return spread(units, settings.fetchers() * UNITS_PER_FETCHER);
    }

    /** Claims {@code batch} of {@code t} and adds what this phase got to {@code units}; empties the batch. */
    private void claimInto(List<Unit> units, EventTable t, List<Span> batch) {
        if (batch.isEmpty()) return;
        for (Span s : store.claim(settings.chainId(), t, List.copyOf(batch), owner, CLAIM_TTL)) units.add(new Unit(t, s));
        batch.clear();
    }

    /** Whether any table still lacks blocks of {@code [from, limit]}, claimed by anyone or not. */
    boolean pending(List<EventTable> tables, long from, long limit) {
        for (EventTable t : tables) {
            long start = Math.max(t.startBlock(), from);
            if (start <= t.through(limit) && !store.uncovered(t, start, t.through(limit)).isEmpty()) return true;
        }
        return false;
    }

    /** How long a claim outlives its owner's last renewal: a dead process's units come back after this. */
    static final Duration CLAIM_TTL = Duration.ofSeconds(10);

    /** Measured with {@code scripts/bench --anvil}: 1 left the last units to a few fetchers (README, performance). */
    static final int UNITS_PER_FETCHER = 4;

    /** Smallest unit {@link #spread} still halves: below this a split saves less than its extra calls cost. */
    static final long MIN_SPLIT_BLOCKS = 64;

    static List<Unit> spread(List<Unit> planned, int fetchers) {
        List<Unit> units = new ArrayList<>(planned);
        while (!units.isEmpty() && units.size() < fetchers) {
            Unit largest = units.stream().max(java.util.Comparator.comparingLong(u -> u.span().size())).get();
            if (largest.span().size() < 2 * MIN_SPLIT_BLOCKS) break;
            long mid = largest.span().from() + largest.span().size() / 2;
            int at = units.indexOf(largest);
            units.set(at, new Unit(largest.table(), new Span(largest.span().from(), mid - 1)));
            units.add(at + 1, new Unit(largest.table(), new Span(mid, largest.span().to())));
        }
        return units;
    }

    /**
     * Fetches and commits {@code units} concurrently. Returns rows written; the first failure is thrown
     * after the in-flight units finished (their commits stand: each is complete on its own).
     */
    long run(List<Unit> units, long epoch, boolean force) throws InterruptedException {
        return run(units, epoch, force, PieceListener.NONE);
    }

    long run(List<Unit> units, long epoch, boolean force, PieceListener listener) throws InterruptedException {
        Semaphore slots = new Semaphore(settings.fetchers());
        List<Future<Long>> futures = new ArrayList<>(units.size());
        Thread renewer = Thread.ofVirtual().name("claims-" + settings.name()).start(this::renewClaims);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Unit u : units) {
                slots.acquire();
                if (futures.stream().anyMatch(f -> f.isDone() && failed(f))) {
                    slots.release();
                    break;
                }
                futures.add(pool.submit(() -> {
                    try {
                        return fetchAndCommit(u, epoch, force, listener);
                    } finally {
                        slots.release();
                    }
                }));
            }
        } finally {
            renewer.interrupt();
            releaseClaims();
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

    /** Keeps this phase's claims alive while it fetches (a third of their lifetime between renewals). */
    private void renewClaims() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(CLAIM_TTL.dividedBy(3));
                store.renewClaims(settings.chainId(), owner, CLAIM_TTL);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the claims may lapse and another process take a unit: its commit then skips what we covered
                log.warn("claims.renew_failed chain={} cause=\"{}\"", settings.name(), e.getMessage());
            }
        }
    }

    /** Gives back what this run claimed and did not cover (covered claims went with their commits). */
    private void releaseClaims() {
        try {
            store.releaseClaims(settings.chainId(), owner);
        } catch (RuntimeException e) {
            log.warn("claims.release_failed chain={} cause=\"{}\" (they expire within {}s)", settings.name(), e.getMessage(),
                    CLAIM_TTL.toSeconds());
        }
    }

    /** Fetches and commits one unit piece by piece; a failure leaves the pieces before it committed. */
    private long fetchAndCommit(Unit u, long epoch, boolean force, PieceListener listener) throws InterruptedException {
        long rows = 0;
        long cursor = u.span().from();
        // a child table's unit: the children created by its end (its factory's table covers it: see plan), read once
        Children children = u.table().factory() == null ? Children.none()
                : Children.load(store, settings.chainId(), List.of(u.table()), u.span().to());
        LogFilter filter = Children.fetchFilter(u.table(), children);
        if (filter == null) {
            // no child yet: nothing to ask the node (an empty address list would mean every contract)
            store.commitRange(settings.chainId(), epoch, u.span(), List.of(new TableRows(u.table(), List.of())), force, null);
            listener.committed(u.span().size(), 0);
            return 0;
        }
        while (cursor <= u.span().to()) {
            try (RangePiece piece = source.rangePiece(cursor, u.span().to(), filter, budget)) {
                RangeLogs answer = piece.logs();
                List<TableRows> routed = TxColumns.attach(source,
                        router.route(List.of(u.table()), answer.logs(), n -> headerOf(answer, n), children));
                long written = store.commitRange(settings.chainId(), epoch, piece.span(), routed, force, piece.servedBy());
                rows += written;
                cursor = piece.to() + 1;
                listener.committed(piece.span().size(), written);
            }
        }
        log.debug("range.done chain={} source={} table={} span={} rows={}", settings.name(), u.table().sourceName(),
                u.table(), u.span(), rows);
        return rows;
    }

    /** The host's name from the environment (a DNS lookup can hang), with a random tag: pids repeat across hosts. */
    private static String hostName() {
        String host = System.getenv().getOrDefault("HOSTNAME", "host");
        return host + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()) & 0xffffL);
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
