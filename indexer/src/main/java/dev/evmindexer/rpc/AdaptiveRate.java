package dev.evmindexer.rpc;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One endpoint's request rate: a token bucket (one token per HTTP request, a JSON-RPC batch being one request)
 * whose rate adapts. It starts at {@link #START_RPS} (or the cap, if lower), grows by {@link #GROWTH} after every
 * {@link #GROW_AFTER} successes in a row, is cut to 70% on a throttling answer (HTTP 429, "rate limit"; at most once per
 * {@link #CUT_INTERVAL}, since the requests in flight when the limit was hit all come back throttled), and stays
 * within {@code [floor, cap]}. The bucket holds at most one second's worth of tokens. Thread-safe.
 */
final class AdaptiveRate {
    static final double START_RPS = 100;
    /** Cap of an endpoint without {@code max_rps}: high enough never to slow a local node noticeably. */
    static final double DEFAULT_CAP_RPS = 2_000;
    static final double FLOOR_RPS = 1;
    static final double GROWTH = 1.05;
    static final int GROW_AFTER = 10;
    static final double CUT = 0.7;
    static final long CUT_INTERVAL = 1_000_000_000L;

    private static final double NANOS = 1e9;

    private final ReentrantLock lock = new ReentrantLock();
    private final LongSupplier nanoClock;
    private final double cap;
    private final double floor;
    private double rate;
    private double tokens;
    private long refilledAt;
    private int successes;
    private long cutAt;

    /** @param maxRps the cap, or a non-positive value for {@link #DEFAULT_CAP_RPS} */
    AdaptiveRate(double maxRps, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.cap = maxRps > 0 ? maxRps : DEFAULT_CAP_RPS;
        this.floor = Math.min(FLOOR_RPS, cap);
        this.rate = Math.min(START_RPS, cap);
        this.tokens = 1;
        this.refilledAt = nanoClock.getAsLong();
        this.cutAt = refilledAt - CUT_INTERVAL;
    }

    /**
     * Takes one token and returns how long the caller must wait before sending (0 when a token was there). Tokens
     * may go negative: each waiting caller holds a reservation, so callers are served in order at the current rate.
     */
    long reserveNanos() {
        lock.lock();
        try {
            refill();
            tokens -= 1;
            return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / rate * NANOS);
        } finally {
            lock.unlock();
        }
    }

    /** A request got an answer that was not a throttling error. */
    void succeeded() {
        lock.lock();
        try {
            if (++successes < GROW_AFTER) return;
            successes = 0;
            rate = Math.min(cap, rate * GROWTH);
        } finally {
            lock.unlock();
        }
    }

    /** The endpoint said "too many requests": halve the rate and drop any burst saved up. */
    void throttled() {
        lock.lock();
        try {
            refill();
            successes = 0;
            tokens = Math.min(tokens, 0);
            long now = nanoClock.getAsLong();
            if (now - cutAt < CUT_INTERVAL) return;
            cutAt = now;
            rate = Math.max(floor, rate * CUT);
        } finally {
            lock.unlock();
        }
    }

    /** The current rate in requests per second. */
    double rate() {
        lock.lock();
        try {
            return rate;
        } finally {
            lock.unlock();
        }
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - refilledAt;
        if (elapsed <= 0) return;
        refilledAt = now;
        tokens = Math.min(Math.max(1, rate), tokens + elapsed / NANOS * rate);
    }
}
