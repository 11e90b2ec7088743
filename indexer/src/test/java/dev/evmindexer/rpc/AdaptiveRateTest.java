package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdaptiveRateTest {
    private long now = 5_000_000_000L;

    private long drain(AdaptiveRate r) {
        long waited = 0;
        for (int i = 0; i < 1_000; i++) {
            long w = r.reserveNanos();
            if (w > 0) return w;
        }
        return waited;
    }

    @Test
    void startsModeratelyAndNeverAboveTheCap() {
        assertEquals(AdaptiveRate.START_RPS, new AdaptiveRate(0, () -> now).rate());
        assertEquals(25, new AdaptiveRate(25, () -> now).rate());
    }

    @Test
    void tokensComeAtTheRateAndWaitersQueueInOrder() {
        AdaptiveRate r = new AdaptiveRate(10, () -> now);
        assertEquals(0, r.reserveNanos(), "one token to start with");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), r.reserveNanos(), "next one in 1/10 s");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(200), r.reserveNanos(), "the one after that in 2/10 s");
        now += TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; i < 10; i++) assertEquals(0, r.reserveNanos(), "a second's burst (10 tokens) was saved up");
        assertTrue(r.reserveNanos() > 0, "but no more than a second's worth");
    }

    @Test
    void growsAFewPercentAfterARunOfSuccessesUpToTheCap() {
        AdaptiveRate r = new AdaptiveRate(110, () -> now);
        for (int i = 0; i < AdaptiveRate.GROW_AFTER - 1; i++) r.succeeded();
        assertEquals(100, r.rate(), 1e-9);
        r.succeeded();
        assertEquals(105, r.rate(), 1e-9);
        for (int i = 0; i < 10 * AdaptiveRate.GROW_AFTER; i++) r.succeeded();
        assertEquals(110, r.rate(), 1e-9, "capped at max_rps");
    }

    @Test
    void throttlingCutsTheRateDownToTheFloorAndDropsTheBurst() {
        AdaptiveRate r = new AdaptiveRate(0, () -> now);
        now += TimeUnit.SECONDS.toNanos(1);
        r.throttled();
        assertEquals(70, r.rate(), 1e-9);
        assertTrue(r.reserveNanos() > 0, "no burst after a 429");
        r.throttled();
        r.throttled();
        assertEquals(70, r.rate(), 1e-9, "the requests in flight come back throttled together: one cut");
        for (int i = 0; i < 30; i++) {
            now += AdaptiveRate.CUT_INTERVAL;
            r.throttled();
        }
        assertEquals(AdaptiveRate.FLOOR_RPS, r.rate(), 1e-9);
        for (int i = 0; i < AdaptiveRate.GROW_AFTER - 1; i++) r.succeeded();
        now += AdaptiveRate.CUT_INTERVAL;
        r.throttled();
        for (int i = 0; i < AdaptiveRate.GROW_AFTER - 1; i++) r.succeeded();
        assertEquals(AdaptiveRate.FLOOR_RPS, r.rate(), 1e-9, "a 429 restarts the run of successes");
        assertTrue(drain(r) >= TimeUnit.MILLISECONDS.toNanos(900), "at 1 rps the next token is about a second away");
    }
}
