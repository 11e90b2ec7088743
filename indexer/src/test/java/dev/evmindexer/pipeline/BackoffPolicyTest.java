package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The backoff of every retry; was the database reconnect's DbBackoff, whose cases these are. */
class BackoffPolicyTest {

    private final BackoffPolicy backoff = new BackoffPolicy(Duration.ofMillis(100), Duration.ofSeconds(3));

    @Test
    void growsExponentiallyWithinHalfToFullOfTheBase() {
        SplittableRandom random = new SplittableRandom(7);
        long[] bases = {100, 200, 400, 800, 1600, 3000, 3000};
        for (int attempt = 1; attempt <= bases.length; attempt++) {
            for (int i = 0; i < 200; i++) {
                long ms = backoff.delay(attempt, random).toMillis();
                long base = bases[attempt - 1];
                assertTrue(ms >= base / 2 && ms <= base, "attempt " + attempt + " waited " + ms + " ms");
            }
        }
    }

    @Test
    void staysCappedForHugeAttemptNumbers() {
        long ms = backoff.delay(Integer.MAX_VALUE, new SplittableRandom(1)).toMillis();
        assertTrue(ms >= 1500 && ms <= 3000, ms + " ms");
    }

    @Test
    void jitters() {
        SplittableRandom random = new SplittableRandom(3);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            seen.add(backoff.delay(4, random).toMillis());
        }
        assertTrue(seen.size() > 10, "delays should spread, got " + seen);
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> backoff.delay(0, new SplittableRandom()));
        assertThrows(IllegalArgumentException.class, () -> new BackoffPolicy(Duration.ZERO, Duration.ofSeconds(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BackoffPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertEquals("backoff max PT1S is below its initial delay PT2S", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5));
    }

    @Test
    void jitterTakesOffAtMostItsShareOfTheStep() {
        BackoffPolicy quarter = new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.25);
        assertEquals(Duration.ofSeconds(4), quarter.delay(3, 0.0));
        assertEquals(Duration.ofSeconds(3), quarter.delay(3, 1.0), "at most a quarter off");
        assertEquals(Duration.ofSeconds(60), quarter.ceiling(40));
    }
}
