package dev.evmindexer.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/** An inclusive block range {@code [from, to]}. */
public record Span(long from, long to) {
    public Span {
        if (from < 0 || to < from) throw new IllegalArgumentException("bad span [" + from + ", " + to + "]");
    }

    public long size() {
        return to - from + 1;
    }

    public boolean contains(long block) {
        return block >= from && block <= to;
    }

    /** {@code whole} minus {@code holes} (ascending by start; they may reach outside {@code whole}), ascending. */
    public static List<Span> minus(Span whole, List<Span> holes) {
        List<Span> out = new ArrayList<>();
        long next = whole.from;
        for (Span h : holes) {
            if (h.from > whole.to) break;
            if (h.from > next) out.add(new Span(next, h.from - 1));
            next = Math.max(next, h.to + 1);
        }
        if (next <= whole.to) out.add(new Span(next, whole.to));
        return out;
    }

    /** Runs of consecutive numbers in {@code blocks}, in ascending order. */
    public static List<Span> runs(SortedSet<Long> blocks) {
        List<Span> out = new ArrayList<>();
        long start = -1;
        long prev = -2;
        for (long b : blocks) {
            if (b != prev + 1) {
                if (start >= 0) out.add(new Span(start, prev));
                start = b;
            }
            prev = b;
        }
        if (start >= 0) out.add(new Span(start, prev));
        return out;
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + "]";
    }
}
