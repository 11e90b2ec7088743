package dev.evmindexer.store;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with jitter for waiting on the database: attempt {@code n} (from 1) waits a
 * random time in {@code [base/2, base]} where {@code base = min(max, initial * 2^(n-1))}. The jitter keeps
 * several indexers that lost the same server from reconnecting in lock step.
 */
record DbBackoff(Duration initial, Duration max) {

    static final DbBackoff DEFAULT = new DbBackoff(Duration.ofMillis(250), Duration.ofSeconds(15));

    DbBackoff {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("backoff initial delay must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff max " + max + " is below its initial delay " + initial);
        }
    }

    Duration delay(int attempt, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1, got " + attempt);
        }
        long maxMillis = max.toMillis();
        long base = initial.toMillis();
        for (int i = 1; i < attempt && base < maxMillis; i++) {
            base *= 2;
        }
        base = Math.min(base, maxMillis);
        long half = base / 2;
        return Duration.ofMillis(half + random.nextLong(base - half + 1));
    }
}
