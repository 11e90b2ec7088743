package dev.evmindexer.ops;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Header;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.ChainSource;
import dev.evmindexer.pipeline.Heads;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.RangeLogs;
import java.util.List;
import java.util.Optional;

/**
 * One chain's {@link ChainSource}, recording the node's head, finalized tag and newest block time into
 * {@link ChainMetrics}. Every method of {@link ChainSource} must be forwarded here, including any added
 * later with a default: a default here would silently replace the real source's answer.
 */
final class MeteredChainSource implements ChainSource {
    private final ChainSource delegate;
    private final ChainMetrics m;

    MeteredChainSource(ChainSource delegate, ChainMetrics metrics) {
        this.delegate = delegate;
        this.m = metrics;
    }

    @Override
    public long chainId() {
        return delegate.chainId();
    }

    @Override
    public Heads heads() {
        Heads h = delegate.heads();
        m.head.set(h.head());
        m.nodeFinalized.set(h.finalized().orElse(-1));
        m.nodeSafe.set(h.safe().orElse(-1));
        return h;
    }

    @Override
    public Optional<BlockHeader> header(long number) {
        Optional<BlockHeader> h = delegate.header(number);
        h.ifPresent(x -> m.sawNodeHeader(x.timestamp()));
        return h;
    }

    @Override
    public List<BlockHeader> headers(long from, long to) {
        List<BlockHeader> hs = delegate.headers(from, to);
        if (!hs.isEmpty()) m.sawNodeHeader(hs.get(hs.size() - 1).timestamp());
        return hs;
    }

    @Override
    public List<Log> blockLogs(Header block, LogFilter filter) {
        return delegate.blockLogs(block, filter);
    }

    @Override
    public RangeLogs rangeLogs(long from, long to, LogFilter filter) {
        return delegate.rangeLogs(from, to, filter);
    }

    @Override
    public dev.evmindexer.pipeline.ProvenLogs provenLogs(long from, long to, LogFilter filter) {
        return delegate.provenLogs(from, to, filter);
    }

    @Override
    public dev.evmindexer.pipeline.TxData txData(List<Log> logs, dev.evmindexer.pipeline.TxData.Needs needs) {
        return delegate.txData(logs, needs);
    }

    @Override
    public dev.evmindexer.pipeline.RangePiece rangePiece(long from, long to, LogFilter filter,
            dev.evmindexer.pipeline.MemoryBudget budget) throws InterruptedException {
        return delegate.rangePiece(from, to, filter, budget);
    }

    /** The real source's pinned, confirmable view: never this wrapper's default (which would confirm nothing). */
    @Override
    public Canonical canonical(long minHead) {
        return delegate.canonical(minHead);
    }
}
