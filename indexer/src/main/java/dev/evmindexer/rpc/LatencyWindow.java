package dev.evmindexer.rpc;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The latencies of an endpoint's last {@link #SIZE} answered requests, for p50/p95. Recording is O(1); a
 * percentile sorts a copy of at most {@link #SIZE} longs (asked once per hedged call, not per request).
 */
final class LatencyWindow {
    static final int SIZE = 256;
    /** Fewer samples than this give no percentile: hedging waits for a real picture of the endpoint. */
    static final int MIN_SAMPLES = 20;

    private final ReentrantLock lock = new ReentrantLock();
    private final long[] nanos = new long[SIZE];
    private int count;
    private int next;

    void record(long elapsedNanos) {
        lock.lock();
        try {
            nanos[next] = elapsedNanos;
            next = (next + 1) % SIZE;
            if (count < SIZE) count++;
        } finally {
            lock.unlock();
        }
    }

    /** The {@code q}-quantile (0 < q < 1) of the window, or null with fewer than {@link #MIN_SAMPLES} samples. */
    Duration percentile(double q) {
        long[] copy;
        lock.lock();
        try {
            if (count < MIN_SAMPLES) return null;
            copy = Arrays.copyOf(nanos, count);
        } finally {
            lock.unlock();
        }
        Arrays.sort(copy);
        int index = (int) Math.min(copy.length - 1, Math.ceil(q * copy.length) - 1);
        return Duration.ofNanos(copy[Math.max(0, index)]);
    }
}
