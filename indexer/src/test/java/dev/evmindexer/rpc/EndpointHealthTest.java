package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {
    private long now = 1_000_000_000L;
    private final EndpointHealth health = new EndpointHealth(() -> now, Duration.ofSeconds(1), Duration.ofSeconds(60));

    private void advance(Duration d) {
        now += d.toNanos();
    }

    @Test
    void unverifiedEndpointsAreNotUsable() {
        assertFalse(health.usable(now));
        health.verified();
        assertTrue(health.usable(now));
    }

    @Test
    void oneFailureAmongSuccessesOnlyLowersThePreference() {
        health.verified();
        assertEquals(Duration.ZERO, health.failed());
        assertTrue(health.usable(now));
        assertEquals(1.0, health.score(now), 1e-9);
        health.succeeded();
        assertEquals(Duration.ZERO, health.failed(), "not two in a row");
        assertEquals(Duration.ofSeconds(1), health.failed(), "two in a row: out of rotation");
        assertFalse(health.usable(now));
    }

    @Test
    void failuresBackOffExponentiallyUpToTheCapAndSuccessResets() {
        health.verified();
        assertEquals(Duration.ZERO, health.failed());
        long[] expectedSeconds = {1, 2, 4, 8, 16, 32, 60, 60};
        for (long s : expectedSeconds) {
            assertEquals(Duration.ofSeconds(s), health.failed());
            assertFalse(health.usable(now));
            advance(Duration.ofSeconds(s).minusNanos(1));
            assertFalse(health.usable(now));
            advance(Duration.ofNanos(1));
            assertTrue(health.usable(now));
        }
        health.succeeded();
        assertEquals(Duration.ZERO, health.failed());
        assertEquals(Duration.ofSeconds(1), health.failed());
    }

    @Test
    void concurrentFailuresWhileOutDoNotCompound() {
        health.verified();
        health.failed();
        assertEquals(Duration.ofSeconds(1), health.failed());
        assertEquals(Duration.ZERO, health.failed());
        assertEquals(3.0, health.score(now), 1e-9);
    }

    @Test
    void theErrorScoreHalvesEveryMinute() {
        health.verified();
        health.failed();
        advance(Duration.ofSeconds(60));
        assertEquals(0.5, health.score(now), 1e-9);
    }

    @Test
    void verificationStartsAfreshAfterFailedProbes() {
        health.failed();
        health.failed();
        assertTrue(health.score(now) > 0);
        health.verified();
        assertEquals(0.0, health.score(now));
        assertTrue(health.usable(now));
    }

    @Test
    void disabledEndpointsStayOut() {
        health.verified();
        health.disable("serves chain id 2, expected 1");
        health.verified();
        assertFalse(health.usable(now));
        assertEquals(EndpointHealth.State.DISABLED, health.state());
    }

    @Test
    void jitterShortensBackoffStepsByAtMostAQuarter() {
        double[] random = {0.0};
        EndpointHealth h = new EndpointHealth(() -> now, Duration.ofSeconds(1), Duration.ofSeconds(60), () -> random[0]);
        h.verified();
        h.failed();
        random[0] = 0.999;
        Duration first = h.failed();
        assertTrue(first.compareTo(Duration.ofMillis(750)) >= 0 && first.compareTo(Duration.ofMillis(760)) < 0, first.toString());
        advance(first);
        random[0] = 0.5;
        assertEquals(Duration.ofMillis(1750), h.failed(), "2 s less an eighth");
    }
}
