package dev.evmindexer.pipeline;

import java.util.function.LongSupplier;

/**
 * Spaces calls at least {@code 1/rps} seconds apart (reconciliation's RPC rate, {@code chains[].reconcile_rps}): a
 * call that comes early waits for its turn. Not thread-safe: one per background duty.
 */
public final class Pacer {
    /** Waits {@code nanos} nanoseconds; tests pass a fake clock's. */
    public interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final long intervalNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private long next = Long.MIN_VALUE;

    public Pacer(double rps) {
        this(rps, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
    }

    public Pacer(double rps, LongSupplier clock, Sleeper sleeper) {
        if (!(rps > 0) || Double.isInfinite(rps)) throw new IllegalArgumentException("rps must be > 0, got " + rps);
        this.intervalNanos = Math.max(1, (long) (1e9 / rps));
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Returns when the next call may go: at once the first time, else {@code 1/rps} after the previous one. */
    public void await() throws InterruptedException {
        long now = clock.getAsLong();
        if (next != Long.MIN_VALUE && now - next < 0) {
            sleeper.sleep(next - now);
            now = clock.getAsLong();
        }
        next = now + intervalNanos;
    }
}
