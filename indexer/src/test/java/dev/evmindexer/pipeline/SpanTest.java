package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SpanTest {
    @Test
    void minusLeavesThePiecesBetweenHoles() {
        Span whole = new Span(10, 30);
        assertEquals(List.of(whole), Span.minus(whole, List.of()));
        assertEquals(List.of(new Span(13, 19), new Span(26, 30)),
                Span.minus(whole, List.of(new Span(10, 12), new Span(20, 25))));
        assertEquals(List.of(new Span(10, 29)), Span.minus(whole, List.of(new Span(30, 30))));
        assertEquals(List.of(), Span.minus(whole, List.of(whole)));
    }

    @Test
    void runsGroupConsecutiveBlocks() {
        assertEquals(List.of(), Span.runs(new TreeSet<>()));
        assertEquals(List.of(new Span(0, 0), new Span(5, 7), new Span(9, 9)),
                Span.runs(new TreeSet<>(List.of(7L, 0L, 5L, 6L, 9L))));
    }
}
