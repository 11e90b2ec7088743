package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reconciliation's rate ({@code chains[].reconcile_rps}) on a virtual clock: calls counted against elapsed time. */
class PacerTest {
    private long now = 1_000_000_000L;
    private final List<Long> sleeps = new ArrayList<>();

    private Pacer pacer(double rps) {
        return new Pacer(rps, () -> now, nanos -> {
            sleeps.add(nanos);
            now += nanos;
        });
    }

    @Test
    void backToBackCallsKeepWithinTheRate() throws InterruptedException {
        Pacer p = pacer(4); // 250 ms apart
        long start = now;
        int calls = 0;
        for (int i = 0; i < 41; i++) {
            p.await();
            calls++;
            now += 10_000_000L; // each call takes 10 ms
        }
        double seconds = (now - start) / 1e9;
        // 41 calls at 4/s need at least 10 s between the first and the last
        assertEquals(true, calls - 1 <= 4 * seconds + 1e-9, calls + " calls in " + seconds + " s");
        assertEquals(40, sleeps.size(), "every call but the first waited");
        assertEquals(240_000_000L, sleeps.get(0), "a 10 ms call waits the rest of its 250 ms");
    }

    @Test
    void callsSpacedWiderThanTheRateNeverWait() throws InterruptedException {
        Pacer p = pacer(2);
        for (int i = 0; i < 5; i++) {
            p.await();
            now += 600_000_000L;
        }
        assertEquals(List.of(), sleeps);
    }

    @Test
    void aRateMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> pacer(0));
        assertThrows(IllegalArgumentException.class, () -> pacer(Double.POSITIVE_INFINITY));
    }
}
