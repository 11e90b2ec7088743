package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Log;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Units committed piece by piece under a memory budget, and a failure that leaves committed pieces standing. */
class RangePhaseTest {
    private final FakeChain chain = new FakeChain();
    private final MemoryStore store = new MemoryStore();

    /** Answers pieces of at most {@code maxBlocks}, reserving each piece's size from the budget before "the call". */
    private final class PieceSource implements ChainSource {
        final int maxBlocks;
        final List<Span> pieces = new CopyOnWriteArrayList<>();
        /** Every call fails once this many pieces were answered (-1: never). */
        final AtomicInteger failAt = new AtomicInteger(-1);

        PieceSource(int maxBlocks) {
            this.maxBlocks = maxBlocks;
        }

        @Override
        public long chainId() {
            return chain.chainId();
        }

        @Override
        public Heads heads() {
            return chain.heads();
        }

        @Override
        public java.util.Optional<dev.evmindexer.eth.BlockHeader> header(long number) {
            return chain.header(number);
        }

        @Override
        public List<dev.evmindexer.eth.BlockHeader> headers(long from, long to) {
            return chain.headers(from, to);
        }

        @Override
        public List<Log> blockLogs(dev.evmindexer.eth.Header header, LogFilter filter) {
            return chain.blockLogs(header, filter);
        }

        @Override
        public RangeLogs rangeLogs(long from, long to, LogFilter filter) {
            return chain.rangeLogs(from, to, filter);
        }

        @Override
        public RangePiece rangePiece(long from, long to, LogFilter filter, MemoryBudget budget) throws InterruptedException {
            if (pieces.size() == failAt.get()) throw new SourceException("the node went away");
            long end = Math.min(to, from + maxBlocks - 1);
            MemoryBudget.Reservation held = budget.reserve(MemoryBudget.bytesOf(200, 0));
            RangeLogs logs = chain.rangeLogs(from, end, filter);
            held.resize(MemoryBudget.bytesOf(logs.logs().size(), 0));
            pieces.add(new Span(from, end));
            return new RangePiece(from, end, logs, held);
        }
    }

    private RangePhase phase(PieceSource source, MemoryBudget budget) {
        var settings = new ChainSettings(1, "test", OptionalInt.of(0), 128, 1, 100, 3, 32);
        return new RangePhase(source, store, new LogRouter(), settings, budget);
    }

    @Test
    void aUnitIsCommittedPieceByPieceAndCoverageJoinsThem() throws Exception {
        chain.mine(300, 3);
        store.advanceFinalized(1, 300);
        PieceSource source = new PieceSource(7);
        MemoryBudget budget = new MemoryBudget(MemoryBudget.bytesOf(1_000, 0));
        RangePhase p = phase(source, budget);
        EventTable t = ChainPipelineTest.transfers(0);
        List<RangePhase.Unit> units = p.plan(List.of(t), 0, 300, 32);
        assertEquals(List.of(new Span(0, 99), new Span(100, 199), new Span(200, 299)),
                units.stream().map(RangePhase.Unit::span).toList(), "one unit per fetcher, of 100 blocks on the grid");
        List<long[]> committed = new CopyOnWriteArrayList<>();
        for (; !units.isEmpty(); units = p.plan(List.of(t), 0, 300, 32)) {
            p.run(units, 0, false, (blocks, rows) -> committed.add(new long[] {blocks, rows}));
        }

        assertEquals(source.pieces.size(), committed.size(), "one commit per piece");
        assertTrue(source.pieces.stream().allMatch(s -> s.size() <= 7), source.pieces.toString());
        assertEquals(301, committed.stream().mapToLong(c -> c[0]).sum(), "every block once");
        assertEquals(List.of(), store.uncovered(t, 0, 300), "coverage joins the pieces");
        List<Log> rows = store.rowsOf("transfers").stream().map(EventRow::log).toList();
        assertEquals(chain.canonicalTransfers(0, 300), rows);
        assertEquals(0, budget.reserved(), "every piece released its memory at commit");
        assertTrue(budget.peak() <= budget.total(), "in flight: at most the budget: " + budget.peak());
    }

    @Test
    void fewerUnitsThanFetchersAreHalvedSoEveryFetcherHasWork() {
        EventTable t = ChainPipelineTest.transfers(0);
        List<RangePhase.Unit> spread = RangePhase.spread(List.of(new RangePhase.Unit(t, new Span(0, 999))), 4);
        assertEquals(List.of(new Span(0, 249), new Span(250, 499), new Span(500, 749), new Span(750, 999)),
                spread.stream().map(RangePhase.Unit::span).toList());
        List<RangePhase.Unit> small = List.of(new RangePhase.Unit(t, new Span(0, 99)));
        assertEquals(small, RangePhase.spread(small, 4), "below twice the smallest split a unit stays whole");
        assertEquals(List.of(), RangePhase.spread(List.of(), 4));
    }

    @Test
    void aFailureLeavesThePiecesBeforeItCommittedAndARunAfterItFillsTheRest() throws Exception {
        // One unit of 100 blocks (too small to split), so its pieces come one after another: the sixth call fails.
        chain.mine(99, 2);
        store.advanceFinalized(1, 99);
        PieceSource source = new PieceSource(10);
        source.failAt.set(5);
        RangePhase p = phase(source, new MemoryBudget(1 << 20));
        EventTable t = ChainPipelineTest.transfers(0);
        List<RangePhase.Unit> units = p.plan(List.of(t), 0, 99, 32);
        assertEquals(List.of(new Span(0, 99)), units.stream().map(RangePhase.Unit::span).toList());
        assertThrows(SourceException.class, () -> p.run(units, 0, false));
        assertEquals(List.of(new Span(50, 99)), store.uncovered(t, 0, 99), "five pieces of 10 blocks committed before the failure");

        source.failAt.set(-1);
        p.run(p.plan(List.of(t), 0, 99, 32), 0, false);
        assertEquals(List.of(), store.uncovered(t, 0, 99));
        assertEquals(chain.canonicalTransfers(0, 99), store.rowsOf("transfers").stream().map(EventRow::log).toList());
    }

    @Test
    void twoProcessesShareTheUnitsAndNoSpanIsFetchedTwice() throws Exception {
        chain.mine(2_000, 1);
        store.advanceFinalized(1, 2_000);
        EventTable t = ChainPipelineTest.transfers(0);
        PieceSource a = new PieceSource(10);
        PieceSource b = new PieceSource(10);
        RangePhase pa = phase(a, new MemoryBudget(1 << 20));
        RangePhase pb = phase(b, new MemoryBudget(1 << 20));
        Runnable fillA = () -> fill(pa, t);
        Thread other = Thread.ofVirtual().start(() -> fill(pb, t));
        fillA.run();
        other.join();

        assertEquals(List.of(), store.uncovered(t, 0, 2_000));
        assertEquals(chain.canonicalTransfers(0, 2_000), store.rowsOf("transfers").stream().map(EventRow::log).toList());
        List<Span> fetched = new java.util.ArrayList<>(a.pieces);
        fetched.addAll(b.pieces);
        fetched.sort(java.util.Comparator.comparingLong(Span::from));
        for (int i = 1; i < fetched.size(); i++) {
            assertTrue(fetched.get(i).from() > fetched.get(i - 1).to(), "fetched twice: " + fetched.get(i - 1) + " and " + fetched.get(i));
        }
        assertEquals(2_001, fetched.stream().mapToLong(Span::size).sum(), "every block fetched once");
        assertTrue(!a.pieces.isEmpty() && !b.pieces.isEmpty(), "each did a share: " + a.pieces.size() + " / " + b.pieces.size());
        assertEquals(0, store.claims.values().stream().mapToInt(java.util.Map::size).sum(), "no claim left behind");
    }

    @Test
    void unitsAnotherProcessHoldsAreLeftToItAndStillPending() {
        chain.mine(300, 1);
        store.advanceFinalized(1, 300);
        EventTable t = ChainPipelineTest.transfers(0);
        store.claim(1, t, List.of(new Span(0, 199)), "another process", RangePhase.CLAIM_TTL);
        RangePhase p = phase(new PieceSource(10), new MemoryBudget(1 << 20));
        assertEquals(List.of(new Span(200, 299), new Span(300, 300)),
                p.plan(List.of(t), 0, 300, 32).stream().map(RangePhase.Unit::span).toList());
        RangePhase third = phase(new PieceSource(10), new MemoryBudget(1 << 20));
        assertEquals(List.of(), third.plan(List.of(t), 0, 300, 32), "the first two hold everything");
        assertTrue(third.pending(List.of(t), 0, 300), "held by others is not done");
    }

    private void fill(RangePhase p, EventTable t) {
        try {
            while (true) {
                List<RangePhase.Unit> units = p.plan(List.of(t), 0, 2_000, 4);
                if (units.isEmpty()) {
                    if (!p.pending(List.of(t), 0, 2_000)) return;
                    Thread.sleep(5);
                    continue;
                }
                p.run(units, 0, false);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
