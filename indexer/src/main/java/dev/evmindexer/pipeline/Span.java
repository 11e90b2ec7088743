package dev.evmindexer.pipeline;

/** An inclusive block range {@code [from, to]}. */
public record Span(long from, long to) {
    public Span {
        if (from < 0 || to < from) throw new IllegalArgumentException("bad span [" + from + ", " + to + "]");
    }

    public long size() {
        return to - from + 1;
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + "]";
    }
}
