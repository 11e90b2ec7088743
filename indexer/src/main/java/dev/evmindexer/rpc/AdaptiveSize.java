package dev.evmindexer.rpc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A size that shrinks at once on refusal and grows back slowly, for limits that are fixed properties of an endpoint:
 * its JSON-RPC batch size and the addresses per {@code eth_getLogs} ({@code eth_getLogs} block ranges, whose cost
 * depends on the logs in them, are {@link LogRange}'s). It starts at {@code max}; {@link #halve} and
 * {@link #suggested} lower it (never below 1) and lower {@code max} to just below the refused size, so it never grows
 * back to a size that was refused; after {@link #GROW_AFTER} successes in a row at the current size it grows by a
 * quarter (at least 1), up to {@code max}. Lock-free; concurrent updates may interleave, which only changes the pace,
 * never the bounds.
 */
final class AdaptiveSize {
    static final int GROW_AFTER = 10;

    private final AtomicLong max;
    private final AtomicLong current;
    private final AtomicLong successes = new AtomicLong();

    AdaptiveSize(long max) {
        if (max < 1) throw new IllegalArgumentException("max must be at least 1, got " + max);
        this.max = new AtomicLong(max);
        this.current = new AtomicLong(max);
    }

    long get() {
        return current.get();
    }

    long max() {
        return max.get();
    }

    /** Lowers the size to {@code size} (clamped to [1, current]); returns the new size. */
    long shrinkTo(long size) {
        successes.set(0);
        long target = Math.max(1, size);
        return current.accumulateAndGet(target, Math::min);
    }

    /** Halves the size, given that {@code refused} was refused; returns the new size. */
    long halve(long refused) {
        refused(refused);
        return shrinkTo(Math.min(current.get(), Math.max(1, refused / 2)));
    }

    /** {@code refused} was refused, and the provider suggests {@code size}: use that; returns the new size. */
    long suggested(long refused, long size) {
        refused(refused);
        return shrinkTo(size);
    }

    private void refused(long size) {
        max.accumulateAndGet(Math.max(1, size - 1), Math::min);
    }

    /** A request of {@code size} succeeded; grows after a run of them at (or near) the current size. */
    void succeeded(long size) {
        long now = current.get();
        long limit = max.get();
        if (now >= limit || size * 2 < now) return; // small requests say nothing about whether a bigger one works
        if (successes.incrementAndGet() < GROW_AFTER) return;
        successes.set(0);
        long grown = Math.min(limit, now + Math.max(1, now / 4));
        current.compareAndSet(now, grown);
    }
}
