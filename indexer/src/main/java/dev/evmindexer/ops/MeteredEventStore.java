package dev.evmindexer.ops;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.ChainState;
import dev.evmindexer.pipeline.EventStore;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.RollbackResult;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TableRows;
import dev.evmindexer.pipeline.TipBlock;
import java.util.List;
import java.util.Optional;

/**
 * One chain's view of the {@link EventStore}, recording what passes through into {@link ChainMetrics}:
 * finalized block, epoch and halt from every state read, the tip, coverage gaps, rows and blocks written
 * per table, rollbacks, and transaction durations. Behaviour is exactly the delegate's.
 */
final class MeteredEventStore implements EventStore {
    private final EventStore delegate;
    private final ChainMetrics m;

    MeteredEventStore(EventStore delegate, ChainMetrics metrics) {
        this.delegate = delegate;
        this.m = metrics;
    }

    @Override
    public ChainState chain(long chainId) {
        ChainState s = delegate.chain(chainId);
        m.finalized.set(s.finalized());
        m.sawEpoch(s.epoch());
        m.halted(s.haltedReason().orElse(null));
        return s;
    }

    @Override
    public void advanceFinalized(long chainId, long f) {
        delegate.advanceFinalized(chainId, f);
        m.finalized.accumulateAndGet(f, Math::max);
    }

    @Override
    public void finalityRule(long chainId, String rule) {
        delegate.finalityRule(chainId, rule);
    }

    @Override
    public List<Span> claim(long chainId, EventTable table, List<Span> wanted, String owner, java.time.Duration ttl) {
        return delegate.claim(chainId, table, wanted, owner, ttl);
    }

    @Override
    public void renewClaims(long chainId, String owner, java.time.Duration ttl) {
        delegate.renewClaims(chainId, owner, ttl);
    }

    @Override
    public void releaseClaims(long chainId, String owner) {
        delegate.releaseClaims(chainId, owner);
    }

    @Override
    public Optional<StoredHeader> tip(long chainId) {
        Optional<StoredHeader> tip = delegate.tip(chainId);
        if (tip.isPresent()) {
            m.sawTip(tip.get().number(), tip.get().timestamp());
        } else {
            m.tip.set(-1);
        }
        return tip;
    }

    @Override
    public Optional<StoredHeader> anchor(long chainId) {
        return delegate.anchor(chainId);
    }

    @Override
    public Optional<StoredHeader> header(long chainId, long number) {
        return delegate.header(chainId, number);
    }

    @Override
    public List<dev.evmindexer.pipeline.Child> children(long chainId, String key, long upTo) {
        return delegate.children(chainId, key, upTo);
    }

    @Override
    public List<Span> uncovered(EventTable table, long from, long to) {
        List<Span> gaps = delegate.uncovered(table, from, to);
        m.sawUncovered(table, from, to, gaps);
        return gaps;
    }

    @Override
    public long commitRange(long chainId, long epoch, Span span, List<TableRows> rows, boolean force, String servedBy) {
        long start = System.nanoTime();
        long written = delegate.commitRange(chainId, epoch, span, rows, force, servedBy);
        m.transaction("range", System.nanoTime() - start);
        // one table per range commit (RangePhase): what was written, not what a covered span skipped
        for (TableRows tr : rows) m.written(tr.table(), span.size(), rows.size() == 1 ? written : tr.rows().size(), "range");
        return written;
    }

    @Override
    public void commitBlocks(long chainId, long epoch, StoredHeader parent, List<TipBlock> blocks) {
        long start = System.nanoTime();
        delegate.commitBlocks(chainId, epoch, parent, blocks);
        if (blocks.isEmpty()) return;
        m.transaction("tip", System.nanoTime() - start);
        for (EventTable t : m.tables()) {
            long n = blocks.stream().filter(b -> b.header().number() >= t.startBlock()).count();
            long rows = blocks.stream().flatMap(b -> b.rows().stream()).filter(tr -> tr.table().equals(t))
                    .mapToLong(tr -> tr.rows().size()).sum();
            if (n > 0) m.written(t, n, rows, "tip");
        }
        BlockHeader last = blocks.get(blocks.size() - 1).header();
        m.sawTip(last.number(), last.timestamp());
    }

    @Override
    public void commitCatchUp(long chainId, long epoch, List<StoredHeader> headers, TableRows rows) {
        long start = System.nanoTime();
        delegate.commitCatchUp(chainId, epoch, headers, rows);
        m.transaction("catchup", System.nanoTime() - start);
        m.written(rows.table(), headers.size(), rows.rows().size(), "catchup");
    }

    @Override
    public void storeAnchor(long chainId, long epoch, BlockHeader header) {
        long start = System.nanoTime();
        delegate.storeAnchor(chainId, epoch, header);
        m.transaction("anchor", System.nanoTime() - start);
    }

    @Override
    public void pruneHeaders(long chainId, long finalized) {
        delegate.pruneHeaders(chainId, finalized);
    }

    @Override
    public RollbackResult rollback(long chainId, long epoch, long ancestor, String reason) {
        long start = System.nanoTime();
        RollbackResult r = delegate.rollback(chainId, epoch, ancestor, reason);
        m.transaction("rollback", System.nanoTime() - start);
        m.reorged(r);
        m.sawEpoch(r.newEpoch());
        return r;
    }

    @Override
    public void ensureIndexes(List<EventTable> tables) {
        long start = System.nanoTime();
        delegate.ensureIndexes(tables);
        m.transaction("indexes", System.nanoTime() - start);
    }

    @Override
    public void halt(long chainId, long epoch, String reason) {
        delegate.halt(chainId, epoch, reason);
        m.halted(reason);
    }
}
