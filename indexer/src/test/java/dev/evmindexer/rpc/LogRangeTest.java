package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The volume-driven range, as a table of answers in and block counts out. */
class LogRangeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long QUICK = Duration.ofMillis(100).toNanos();

    /** Asks and answers {@code calls} times on a chain of {@code logsPerBlock}; returns the block counts asked. */
    private static List<Long> run(LogRange r, double logsPerBlock, int calls) {
        List<Long> asked = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            long blocks = r.next();
            asked.add(blocks);
            r.succeeded(blocks, Math.round(blocks * logsPerBlock), QUICK);
        }
        return asked;
    }

    @Test
    void anUnknownChainStartsSmallAndDoublesTowardTheTargetVolume() {
        LogRange r = new LogRange(2_000, 10_000, TIMEOUT);
        // 200 logs per block: the target of 10,000 logs is 50 blocks, reached by doubling from 8
        assertEquals(List.of(8L, 16L, 32L, 50L, 50L, 50L), run(r, 200, 6));
    }

    @Test
    void aSparseChainGrowsToTheMaximumRangeButNotInOneLeap() {
        LogRange r = new LogRange(2_000, 10_000, TIMEOUT);
        assertEquals(List.of(8L, 16L, 32L, 64L, 128L, 256L, 512L, 1024L, 2000L, 2000L), run(r, 0, 10));
    }

    @Test
    void aDenseRegionAfterASparseOneConvergesOnTheTargetWithinAFewCalls() {
        LogRange r = new LogRange(2_000, 10_000, TIMEOUT);
        run(r, 0.1, 12);
        assertEquals(2_000, r.next());
        r.succeeded(2_000, 100_000, QUICK); // 50 logs per block: the estimate moves half way at once
        assertTrue(r.next() <= 400, "after one dense answer: " + r.next());
        List<Long> asked = run(r, 50, 5);
        for (int i = 1; i < asked.size(); i++) assertTrue(asked.get(i) <= asked.get(i - 1), asked.toString());
        assertTrue(r.next() >= 195 && r.next() <= 215, "about 10,000 / 50 = 200 blocks: " + asked + " then " + r.next());
    }

    @Test
    void aTimeoutCutsToAQuarterAndTheRangeGrowsBackOnlyAfterARunOfQuickAnswers() {
        LogRange r = new LogRange(2_000, 1_000_000, TIMEOUT);
        run(r, 0, 12);
        assertEquals(2_000, r.next());
        assertEquals(-1, r.timedOut(2_000), "once at a size that worked: the endpoint's fault, not the size's");
        assertEquals(2_000, r.next());
        assertEquals(500, r.timedOut(2_000), "twice in a row: the size");
        assertEquals(500, r.next());
        run(r, 0, LogRange.GROW_AFTER - 1);
        assertEquals(500, r.next(), "not yet");
        run(r, 0, 1);
        assertEquals(625, r.next(), "a quarter more after " + LogRange.GROW_AFTER + " quick answers");
    }

    @Test
    void aTimeoutAboveTheSizeThatWorkedShrinksAtOnceAndASuccessClearsTheStrike() {
        LogRange r = new LogRange(2_000, 1_000_000, TIMEOUT);
        assertEquals(List.of(8L, 16L, 32L), run(r, 0, 3));
        assertEquals(64, r.next());
        assertEquals(32, r.timedOut(64), "64 blocks had never worked: back to the 32 that did, at once");
        assertEquals(-1, r.timedOut(32));
        run(r, 0, 1);
        assertEquals(-1, r.timedOut(32), "a success in between: a first strike again");
        assertEquals(8, r.timedOut(32), "twice in a row at a size that worked: a quarter");
        assertEquals(2, new LogRange(2_000, 10_000, TIMEOUT).timedOut(8), "nothing ever worked: a quarter");
    }

    @Test
    void callsThatTimeOutTogetherAreOneEventNotAStrikeEach() {
        LogRange r = new LogRange(2_000, 1_000_000, TIMEOUT);
        run(r, 0, 6); // 8 .. 256 worked
        assertEquals(-1, r.timedOut(256, 1_000, 2_000), "first strike at a size that worked");
        assertEquals(2_000, r.timedOut(256, 1_500, 2_100), "started before the first failed: the same event, "
                + "neither a second strike nor a second penalty (the ceiling stays)");
        assertEquals(2_000, r.timedOut(256, 1_900, 2_200));
        assertEquals(64, r.timedOut(256, 2_050, 3_000), "started after it: the second strike, a quarter");
        assertEquals(64, r.timedOut(256, 2_500, 3_100), "a sibling of that call: already lowered, no penalty");
    }

    @Test
    void aSlowAnswerHalvesTheRangeBeforeItBecomesATimeout() {
        LogRange r = new LogRange(2_000, 1_000_000, TIMEOUT);
        run(r, 0, 12);
        r.succeeded(2_000, 0, TIMEOUT.toNanos() * 3 / 4);
        assertEquals(1_000, r.next());
    }

    @Test
    void anOversizedAnswerShrinksToWhatWouldHaveFitAndARefusalToTheSuggestion() {
        LogRange r = new LogRange(2_000, 1_000_000, TIMEOUT);
        run(r, 0, 12);
        assertEquals(37, r.oversized(2_000, 37));
        assertEquals(37, r.next());
        LogRange s = new LogRange(2_000, 1_000_000, TIMEOUT);
        run(s, 0, 12);
        assertEquals(500, s.oversized(2_000, 0), "a quarter when the answer said nothing");
        assertEquals(100, s.refused(500, 100));
        assertEquals(50, s.refused(100, 0), "half without a suggestion");
    }

    @Test
    void neverBelowOneBlockNorAboveTheMaximum() {
        LogRange r = new LogRange(5, 10_000, TIMEOUT);
        assertEquals(List.of(5L, 5L, 5L), run(r, 0, 3));
        assertEquals(1, r.refused(1, 0));
        assertEquals(1, r.next());
        assertEquals(1, r.oversized(1, 0));
    }
}
