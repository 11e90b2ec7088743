package dev.evmindexer.pipeline;

/**
 * The first piece of a range as one {@code eth_getLogs} call answered it: the checked logs of {@code [from, to]}
 * (where {@code to} may be below the range's end: the source sizes each call by the volume of logs it expects) and
 * the memory they hold, released by whoever commits them ({@link #close()}).
 */
public record RangePiece(long from, long to, RangeLogs logs, MemoryBudget.Reservation held) implements AutoCloseable {
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
