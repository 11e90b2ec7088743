package dev.evmindexer.ops;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.ChainSource;
import dev.evmindexer.pipeline.Heads;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.RangeLogs;
import java.util.List;
import java.util.Optional;

/** One chain's {@link ChainSource}, recording the node's head and finalized tag into {@link ChainMetrics}. */
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
        return h;
    }

    @Override
    public Optional<BlockHeader> header(long number) {
        return delegate.header(number);
    }

    @Override
    public List<BlockHeader> headers(long from, long to) {
        return delegate.headers(from, to);
    }

    @Override
    public List<Log> blockLogs(BlockHeader header, LogFilter filter) {
        return delegate.blockLogs(header, filter);
    }

    @Override
    public RangeLogs rangeLogs(long from, long to, LogFilter filter) {
        return delegate.rangeLogs(from, to, filter);
    }
}
