package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AdaptiveSizeTest {
    private static void succeed(AdaptiveSize s, int times) {
        for (int i = 0; i < times; i++) s.succeeded(s.get());
    }

    @Test
    void halvesOnRefusalAndGrowsBackSlowlyToTheMax() {
        AdaptiveSize range = new AdaptiveSize(2_000, false);
        assertEquals(1_000, range.halve(2_000));
        assertEquals(500, range.halve(1_000));
        succeed(range, AdaptiveSize.GROW_AFTER - 1);
        assertEquals(500, range.get(), "not before a run of successes");
        succeed(range, 1);
        assertEquals(625, range.get(), "then by a quarter");
        succeed(range, 100 * AdaptiveSize.GROW_AFTER);
        assertEquals(2_000, range.get(), "back to the configured maximum, never above");
    }

    @Test
    void takesTheProvidersSuggestionButNeverGrowsFromIt() {
        AdaptiveSize range = new AdaptiveSize(10_000, false);
        assertEquals(500, range.suggested(10_000, 500));
        assertEquals(500, range.suggested(500, 800), "a suggestion never raises the size");
        assertEquals(1, range.halve(1));
    }

    @Test
    void smallRequestsSayNothingAboutBiggerOnes() {
        AdaptiveSize range = new AdaptiveSize(1_000, false);
        range.halve(1_000);
        for (int i = 0; i < 100; i++) range.succeeded(10); // e.g. the tail of a range
        assertEquals(500, range.get());
    }

    @Test
    void aRefusedBatchSizeIsALimitForGood() {
        AdaptiveSize batch = new AdaptiveSize(50, true);
        assertEquals(25, batch.halve(50));
        succeed(batch, 100 * AdaptiveSize.GROW_AFTER);
        assertEquals(49, batch.get(), "grows back to just below the refused size");
        assertEquals(1, batch.halve(2));
        succeed(batch, 100 * AdaptiveSize.GROW_AFTER);
        assertEquals(1, batch.get(), "an endpoint that refuses batches gets single calls from then on");
    }
}
