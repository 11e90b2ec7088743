package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressLineTest {
    @Test
    void barPercentRateAndEta() {
        assertEquals("backfill [###############...............]  50% 500/1,000 blocks, 20,000 events, 2,000 events/s, ETA 0:10",
                ProgressLine.render(500, 20_000, 1_000, 10_000_000_000L));
        assertEquals("backfill [..............................]   0% 0/1,000 blocks, 0 events, 0 events/s, ETA ?",
                ProgressLine.render(0, 0, 1_000, 1_000_000_000L));
        assertEquals("backfill [##############################] 100% 7,200/7,200 blocks, 1 events, 0 events/s, ETA 0:00",
                ProgressLine.render(7_200, 1, 7_200, 3_600_000_000_000L));
    }
}
