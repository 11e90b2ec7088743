package dev.evmindexer.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.ChainState;
import dev.evmindexer.pipeline.EventStore;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.RollbackResult;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TableRows;
import dev.evmindexer.pipeline.TipBlock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What passes through the metered store ends up in the right meters. */
class ChainMetricsTest {
    static final EventSignature SIG = EventSignature.parse("event Transfer(address indexed from, address indexed to, uint256 value)");
    static final EventTable TABLE = new EventTable("public", "t", 5, "src", 100, new LogFilter(List.of(), List.of(SIG.topic0())),
            SIG, new EventDecoder(SIG), "h");

    /** A store that answers from fields and records nothing. */
    static final class Stub implements EventStore {
        long epoch;
        Optional<StoredHeader> tip = Optional.empty();
        List<Span> gaps = List.of();

        @Override public ChainState chain(long id) { return new ChainState(id, 200, epoch, Optional.empty(), Optional.empty()); }
        @Override public void advanceFinalized(long id, long f) { }
        @Override public void finalityRule(long id, String rule) { }
        @Override public List<Span> claim(long id, EventTable t, List<Span> w, String o, java.time.Duration ttl) { return w; }
        @Override public void renewClaims(long id, String o, java.time.Duration ttl) { }
        @Override public void releaseClaims(long id, String o) { }
        @Override public Optional<StoredHeader> tip(long id) { return tip; }
        @Override public Optional<StoredHeader> anchor(long id) { return Optional.empty(); }
        @Override public Optional<StoredHeader> header(long id, long n) { return Optional.empty(); }
        @Override public List<Span> uncovered(EventTable t, long from, long to) { return gaps; }
        @Override public long commitRange(long id, long e, Span s, List<TableRows> rows, boolean force, String by) {
            return 0;
        }
        @Override public void commitBlocks(long id, long e, StoredHeader p, List<TipBlock> b) { }
        @Override public void commitCatchUp(long id, long e, List<StoredHeader> h, TableRows rows) { }
        @Override public void storeAnchor(long id, long e, BlockHeader h) { }
        @Override public void pruneHeaders(long id, long f) { }
        @Override public RollbackResult rollback(long id, long e, long a, String r) { epoch++; return new RollbackResult(a, a + 3, 7, epoch); }
        @Override public void halt(long id, long e, String r) { }
        @Override public List<dev.evmindexer.pipeline.Child> children(long chainId, String key, long upTo) { return List.of(); }

        @Override
        public void ensureIndexes(List<EventTable> tables) { }
    }

    static StoredHeader header(long n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        return new StoredHeader(n, Hash.of(b), Hash.of(new byte[32]), 1_700_000_000L + n);
    }

    @Test
    void lagReorgsRollbacksAndPendingBlocks() {
        try (IndexerMetrics metrics = new IndexerMetrics()) {
            ChainMetrics m = metrics.chain("c", 5, List.of(TABLE));
            Stub stub = new Stub();
            EventStore store = metrics.store(stub, m);

            stub.gaps = List.of(new Span(150, 159), new Span(180, 200));
            store.uncovered(TABLE, 100, 200);
            m.head.set(260);
            assertEquals(149, m.indexed(), "range phase: contiguous coverage from the start block");
            assertEquals(111, m.lagBlocks());
            assertTrue(metrics.scrape().contains("indexer_backfill_pending_blocks{chain=\"c\",source=\"src\",table=\"public.t\"} 31.0"),
                    metrics.scrape());

            stub.tip = Optional.of(header(250));
            store.tip(5);
            assertEquals(10, m.lagBlocks());
            store.chain(5);
            store.rollback(5, 0, 247, "reorg");
            assertEquals(247, m.indexed());
            store.chain(5); // the epoch it bumped itself: counted once
            stub.epoch += 2; // two manual rollbacks by the CLI
            store.chain(5);
            String s = metrics.scrape();
            assertTrue(s.contains("indexer_reorgs_total{chain=\"c\"} 1.0"), s);
            assertTrue(s.contains("indexer_rollbacks_total{chain=\"c\"} 3.0"), s);
            assertTrue(s.contains("indexer_rows_rolled_back_total{chain=\"c\"} 7.0"), s);
            assertTrue(s.contains("indexer_reorg_depth_blocks_bucket{chain=\"c\",le=\"3.0\"} 1"), s);
            assertTrue(s.contains("indexer_reorg_depth_blocks_bucket{chain=\"c\",le=\"2.0\"} 0"), s);
        }
    }
}
