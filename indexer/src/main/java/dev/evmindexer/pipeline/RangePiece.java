package dev.evmindexer.pipeline;

/**
 * The first piece of a range as one {@code eth_getLogs} call answered it: the checked logs of {@code [from, to]}
 * (where {@code to} may be below the range's end: the source sizes each call by the volume of logs it expects) and
 * the memory they hold, released by whoever commits them ({@link #close()}), and the endpoint that answered (null where
 * the source does not say), recorded with the commit so reconciliation can blame it for rows it left out or altered.
 */
public record RangePiece(long from, long to, RangeLogs logs, MemoryBudget.Reservation held, String servedBy)
        implements AutoCloseable {
    /** A piece whose endpoint is not known. */
    public RangePiece(long from, long to, RangeLogs logs, MemoryBudget.Reservation held) {
        this(from, to, logs, held, null);
    }

    public RangePiece {
        if (to < from) throw new IllegalArgumentException("a piece [" + from + ", " + to + "] is empty");
        for (var l : logs.logs()) {
            if (l.blockNumber() < from || l.blockNumber() > to) {
                throw new IllegalArgumentException("a log of block " + l.blockNumber() + " in the piece [" + from + ", " + to + "]");
            }
        }
    }

    public Span span() {
        return new Span(from, to);
    }

    @Override
    public void close() {
        if (held != null) held.close();
    }
}
