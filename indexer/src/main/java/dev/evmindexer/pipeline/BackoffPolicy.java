package dev.evmindexer.pipeline;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff as a value, the one policy of every retry: the daemon's loops ({@code daemon/Backoff}),
 * reconnecting to the database ({@code store/Database}) and an endpoint out of rotation ({@code rpc/EndpointHealth}).
 * Attempt {@code n} (from 1) has the ceiling {@code min(max, initial * 2^(n-1))}; the delay waited is the ceiling
 * less a random share of it of at most {@code jitter}. With {@link #EQUAL_JITTER} the delay is in
 * {@code [ceiling/2, ceiling]} ("equal jitter"): never much shorter than the step, yet processes that failed together
 * do not retry in lock step.
 */
public record BackoffPolicy(Duration initial, Duration max, double jitter) {
    public static final double EQUAL_JITTER = 0.5;

    public BackoffPolicy {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("backoff initial delay must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff max " + max + " is below its initial delay " + initial);
        }
        if (!(jitter >= 0 && jitter <= 1)) throw new IllegalArgumentException("backoff jitter must be in [0, 1], got " + jitter);
    }

    /** Equal jitter. */
    public BackoffPolicy(Duration initial, Duration max) {
        this(initial, max, EQUAL_JITTER);
    }

    /** The step of attempt {@code attempt} (from 1) before jitter: {@code min(max, initial * 2^(attempt-1))}. */
    public Duration ceiling(int attempt) {
        if (attempt < 1) throw new IllegalArgumentException("attempts count from 1, got " + attempt);
        long maxNanos = max.toNanos();
        long step = initial.toNanos();
        for (int i = 1; i < attempt && step < maxNanos; i++) step = step > maxNanos / 2 ? maxNanos : step * 2;
        return Duration.ofNanos(Math.min(step, maxNanos));
    }

    /** The delay before attempt {@code attempt}, {@code uniform} in [0, 1) choosing how much jitter takes off. */
    public Duration delay(int attempt, double uniform) {
        long ceiling = ceiling(attempt).toNanos();
        return Duration.ofNanos(ceiling - (long) (ceiling * jitter * uniform));
    }

    public Duration delay(int attempt, RandomGenerator random) {
        return delay(attempt, random.nextDouble());
    }
}
