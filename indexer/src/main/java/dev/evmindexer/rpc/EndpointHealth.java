package dev.evmindexer.rpc;

import dev.evmindexer.pipeline.BackoffPolicy;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The health of one endpoint as the pool sees it. An endpoint starts {@link State#UNVERIFIED} (its chain id is
 * not checked yet), becomes {@link State#ACTIVE} once it is, or {@link State#DISABLED} for good when it serves
 * another chain. Every error feeds a score that halves every {@link #SCORE_HALF_LIFE}, so the pool prefers endpoints
 * with fewer recent errors; {@link #OUT_AFTER} failures in a row take an active endpoint out of rotation (an
 * unverified one after each failed probe) for an exponentially growing time (base, 2 base, 4 base ... capped, each
 * shortened by a random jitter of up to {@link #JITTER} so that endpoints and callers failing together do not come
 * back together); the next success resets that. A single failure among successes only lowers the preference: one
 * bad answer from a provider that is otherwise fine should not leave the others to carry all the load. Thread-safe.
 */
final class EndpointHealth {
    enum State { UNVERIFIED, ACTIVE, DISABLED }

    static final Duration SCORE_HALF_LIFE = Duration.ofSeconds(60);
    /** Failures in a row that take an active endpoint out of rotation. */
    static final int OUT_AFTER = 2;
    /** Largest share of a backoff step that jitter takes off. */
    static final double JITTER = 0.25;

    private final ReentrantLock lock = new ReentrantLock();
    private final LongSupplier nanoClock;
    private final BackoffPolicy backoff;
    private final java.util.function.DoubleSupplier random;

    private State state = State.UNVERIFIED;
    private String disabledReason;
    private int consecutiveFailures;
    private long outUntilNanos;
    private double score;
    private long scoreAtNanos;
    private boolean probing;

    /** Without jitter (tests that check exact backoff steps). */
    EndpointHealth(LongSupplier nanoClock, Duration baseBackoff, Duration maxBackoff) {
        this(nanoClock, baseBackoff, maxBackoff, () -> 0);
    }

    /** @param random uniform in [0, 1): the jitter's source */
    EndpointHealth(LongSupplier nanoClock, Duration baseBackoff, Duration maxBackoff, java.util.function.DoubleSupplier random) {
        this.random = random;
        this.nanoClock = nanoClock;
        this.backoff = new BackoffPolicy(baseBackoff, maxBackoff, JITTER);
        this.outUntilNanos = nanoClock.getAsLong();
        this.scoreAtNanos = outUntilNanos;
    }

    long now() {
        return nanoClock.getAsLong();
    }

    State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    String disabledReason() {
        lock.lock();
        try {
            return disabledReason;
        } finally {
            lock.unlock();
        }
    }

    /** Active and not out of rotation at {@code now}. */
    boolean usable(long now) {
        lock.lock();
        try {
            return state == State.ACTIVE && now - outUntilNanos >= 0;
        } finally {
            lock.unlock();
        }
    }

    /** When this endpoint is (or was) back in rotation, in clock nanos. */
    long outUntil() {
        lock.lock();
        try {
            return outUntilNanos;
        } finally {
            lock.unlock();
        }
    }

    /** The recent-error score at {@code now}: each error counts 1, halving every {@link #SCORE_HALF_LIFE}. */
    double score(long now) {
        lock.lock();
        try {
            return decayed(now);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records a failure: the score grows, and from the {@link #OUT_AFTER}th failure in a row (the first for an
     * unverified endpoint) the endpoint is out of rotation for the next backoff step. Failures of calls that were
     * already in flight while the endpoint was out (concurrent callers) do not lengthen the backoff again.
     *
     * @return how long the endpoint is now out of rotation, or zero when this failure did not take it out
     */
    Duration failed() {
        lock.lock();
        try {
            long now = now();
            score = decayed(now) + 1;
            scoreAtNanos = now;
            if (now - outUntilNanos < 0) return Duration.ZERO;
            consecutiveFailures++;
            int threshold = state == State.ACTIVE ? OUT_AFTER : 1;
            if (consecutiveFailures < threshold) return Duration.ZERO;
            outUntilNanos = now + backoff.delay(consecutiveFailures - threshold + 1, random.getAsDouble()).toNanos();
            return Duration.ofNanos(outUntilNanos - now);
        } finally {
            lock.unlock();
        }
    }

    void succeeded() {
        lock.lock();
        try {
            consecutiveFailures = 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The chain id was checked: the endpoint enters rotation now, with a clean score (the failures that kept it out
     * until now would otherwise keep it from being picked for minutes after it recovered).
     */
    void verified() {
        lock.lock();
        try {
            if (state == State.DISABLED) return;
            state = State.ACTIVE;
            consecutiveFailures = 0;
            outUntilNanos = now();
            score = 0;
            scoreAtNanos = outUntilNanos;
        } finally {
            lock.unlock();
        }
    }

    /** Out for good (it serves another chain): never used again. */
    void disable(String reason) {
        lock.lock();
        try {
            state = State.DISABLED;
            disabledReason = reason;
        } finally {
            lock.unlock();
        }
    }

    /** True, and marks a probe as running, when this endpoint is unverified, due and not already being probed. */
    boolean startProbe(long now) {
        lock.lock();
        try {
            if (state != State.UNVERIFIED || probing || now - outUntilNanos < 0) return false;
            probing = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void endProbe() {
        lock.lock();
        try {
            probing = false;
        } finally {
            lock.unlock();
        }
    }

    private double decayed(long now) {
        double halfLives = (double) (now - scoreAtNanos) / SCORE_HALF_LIFE.toNanos();
        return halfLives <= 0 ? score : score * Math.pow(0.5, halfLives);
    }
}
