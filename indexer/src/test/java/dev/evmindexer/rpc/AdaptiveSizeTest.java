package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AdaptiveSizeTest {
    private static void succeed(AdaptiveSize s, int times) {
        for (int i = 0; i < times; i++) s.succeeded(s.get());
    }

    @Test
    void halvesOnRefusalAndGrowsBackSlowlyBelowTheRefusedSize() {
        AdaptiveSize batch = new AdaptiveSize(2_000);
        assertEquals(1_000, batch.halve(2_000));
        assertEquals(500, batch.halve(1_000));
        succeed(batch, AdaptiveSize.GROW_AFTER - 1);
        assertEquals(500, batch.get(), "not before a run of successes");
        succeed(batch, 1);
        assertEquals(625, batch.get(), "then by a quarter");
        succeed(batch, 100 * AdaptiveSize.GROW_AFTER);
        assertEquals(999, batch.get(), "up to just below the smallest refused size, never to it");
    }

    @Test
    void takesTheProvidersSuggestionButNeverGrowsFromIt() {
        AdaptiveSize size = new AdaptiveSize(10_000);
        assertEquals(500, size.suggested(10_000, 500));
        assertEquals(500, size.suggested(500, 800), "a suggestion never raises the size");
        assertEquals(1, size.halve(1));
    }

    @Test
    void smallRequestsSayNothingAboutBiggerOnes() {
        AdaptiveSize batch = new AdaptiveSize(1_000);
        batch.halve(1_000);
        for (int i = 0; i < 100; i++) batch.succeeded(10); // e.g. a short last batch
        assertEquals(500, batch.get());
    }

    @Test
    void aRefusedBatchSizeIsALimitForGood() {
        AdaptiveSize batch = new AdaptiveSize(50);
        assertEquals(25, batch.halve(50));
        succeed(batch, 100 * AdaptiveSize.GROW_AFTER);
        assertEquals(49, batch.get(), "grows back to just below the refused size");
        assertEquals(1, batch.halve(2));
        succeed(batch, 100 * AdaptiveSize.GROW_AFTER);
        assertEquals(1, batch.get(), "an endpoint that refuses batches gets single calls from then on");
    }
}
