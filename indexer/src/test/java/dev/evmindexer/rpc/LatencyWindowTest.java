package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyWindowTest {
    @Test
    void percentilesOfTheRecentWindow() {
        LatencyWindow w = new LatencyWindow();
        for (int i = 1; i < LatencyWindow.MIN_SAMPLES; i++) w.record(Duration.ofMillis(i).toNanos());
        assertNull(w.percentile(0.5), "too few samples");
        for (int i = LatencyWindow.MIN_SAMPLES; i <= 100; i++) w.record(Duration.ofMillis(i).toNanos());
        assertEquals(Duration.ofMillis(50), w.percentile(0.50));
        assertEquals(Duration.ofMillis(95), w.percentile(0.95));
        for (int i = 0; i < LatencyWindow.SIZE; i++) w.record(Duration.ofSeconds(1).toNanos());
        assertEquals(Duration.ofSeconds(1), w.percentile(0.50), "old samples roll out");
    }
}
