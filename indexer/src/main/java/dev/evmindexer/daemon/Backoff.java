package dev.evmindexer.daemon;

import dev.evmindexer.pipeline.BackoffPolicy;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A loop's retries: the {@link BackoffPolicy} from {@code base} doubling to {@code cap}, with equal jitter (each delay
 * in [step/2, step]), counting attempts until {@link #reset} after a success. Not thread-safe: one per loop.
 */
public final class Backoff {
    private final BackoffPolicy policy;
    private int attempt;

    public Backoff(Duration base, Duration cap) {
        this.policy = new BackoffPolicy(base, cap);
    }

    /** The delay before the next attempt; each call doubles the step up to the cap. */
    public Duration next() {
        attempt++;
        return policy.delay(attempt, ThreadLocalRandom.current());
    }

    public int attempts() {
        return attempt;
    }

    public void reset() {
        attempt = 0;
    }
}
