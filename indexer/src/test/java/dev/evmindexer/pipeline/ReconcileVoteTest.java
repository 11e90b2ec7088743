package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link ReconcileVote}: whom reconciliation asks, and the vote of each block between the stored rows and two answers,
 * where an endpoint agreeing with the rows its own answer wrote is not a second voice.
 */
class ReconcileVoteTest {
    private static final String FAITHFUL = "faithful";
    private static final String FAULTY = "faulty";
    private static final String THIRD = "third";
    private static final List<String> TWO = List.of(FAULTY, FAITHFUL);

    private static Writers wrote(String endpoint, long from, long to) {
        return new Writers(List.of(new Writers.Entry(new Span(from, to), endpoint)));
    }

    private static java.util.NavigableSet<Long> blocks(Long... n) {
        return new TreeSet<>(List.of(n));
    }

    @Test
    void theFirstAnswerComesFromAnEndpointThatDidNotWriteTheRange() {
        assertEquals(1, ReconcileVote.pick(TWO, 0, Set.of(FAULTY)), "the writer is skipped even when it is its turn");
        assertEquals(0, ReconcileVote.pick(TWO, 0, Set.of()), "no writer recorded: the rotation's turn");
        assertEquals(-1, ReconcileVote.pick(TWO, 0, Set.of(FAULTY, FAITHFUL)), "both wrote parts: nobody is outside");
        assertEquals(1, ReconcileVote.first(TWO, 0, Set.of(FAULTY)));
        assertEquals(1, ReconcileVote.first(TWO, 1, Set.of(FAULTY, FAITHFUL)), "nobody is outside: the rotation's turn");
    }

    @Test
    void theSecondAnswerComesFromAThirdEndpointWhenThereIsOneElseFromTheOtherElseTheSameAgain() {
        List<String> three = List.of(FAULTY, FAITHFUL, THIRD);
        assertEquals(2, ReconcileVote.second(three, 0, Set.of(FAITHFUL), Set.of(FAULTY)),
                "neither the first answer's endpoint nor the writer of the blocks in question");
        assertEquals(0, ReconcileVote.second(TWO, 0, Set.of(FAITHFUL), Set.of(FAULTY)),
                "with two endpoints, the other one, even though it wrote the rows (the vote then knows it)");
        assertEquals(0, ReconcileVote.second(List.of(FAITHFUL), 0, Set.of(FAITHFUL), Set.of()),
                "a single endpoint is asked again");
    }

    @Test
    void theWritersOwnAnswerAgreeingWithItsRowsDoesNotOutvoteTheOtherEndpoint() {
        // the faulty endpoint's answer wrote block 56 without one of its logs; the faithful one has it (a), the faulty
        // one leaves the same log out again (b): two of three against the faithful endpoint, but only one voice
        Writers writers = wrote(FAULTY, 40, 59);
        var vote = ReconcileVote.decide(blocks(56L), Set.of(56L), Set.of(), n -> false, writers, Set.of(FAITHFUL),
                Set.of(FAULTY), true);
        assertEquals(blocks(), vote.aWrong(), "the faithful endpoint is not blamed");
        assertEquals(blocks(56L), vote.undecided(), "the block stays due, asked again later");
    }

    @Test
    void theSameVotesFromIndependentEndpointsDecide() {
        Writers writers = wrote(THIRD, 40, 59);
        var vote = ReconcileVote.decide(blocks(56L), Set.of(56L), Set.of(), n -> false, writers, Set.of(FAITHFUL),
                Set.of(FAULTY), true);
        assertEquals(blocks(56L), vote.aWrong(), "the stored rows and b agree, and neither wrote the other");
        assertEquals(blocks(), vote.undecided());
    }

    @Test
    void twoAnswersThatAgreeAgainstTheStoredRowsRewriteThem() {
        var vote = ReconcileVote.decide(blocks(56L), Set.of(56L), Set.of(56L), n -> true, wrote(FAULTY, 40, 59),
                Set.of(FAITHFUL), Set.of(FAULTY), true);
        assertEquals(blocks(56L), vote.storedWrong());
        var split = ReconcileVote.decide(blocks(56L), Set.of(56L), Set.of(56L), n -> false, wrote(FAULTY, 40, 59),
                Set.of(FAITHFUL), Set.of(FAULTY), true);
        assertEquals(blocks(56L), split.undecided(), "three versions: nothing decided");
    }

    @Test
    void aBlockOnlyItsWriterVouchedForTwiceStaysDueButOneVouchedForByAnotherIsSettled() {
        Writers writers = wrote(FAULTY, 40, 59);
        var twice = ReconcileVote.decide(blocks(50L), Set.of(), Set.of(), n -> true, writers, Set.of(FAULTY),
                Set.of(FAULTY), true);
        assertEquals(blocks(50L), twice.undecided());
        var other = ReconcileVote.decide(blocks(50L), Set.of(), Set.of(), n -> true, writers, Set.of(FAULTY),
                Set.of(FAITHFUL), true);
        assertEquals(blocks(), other.undecided());
    }

    @Test
    void twoAnswersFromOneEndpointWhereOthersExistAreOneVoice() {
        // the faithful endpoint wrote block 56; the other is out of rotation, so both answers came from the faulty one,
        // which now leaves a log out twice: that must not rewrite the faithful rows
        var vote = ReconcileVote.decide(blocks(56L), Set.of(56L), Set.of(56L), n -> true, wrote(FAITHFUL, 40, 59),
                Set.of(FAULTY), Set.of(FAULTY), true);
        assertEquals(blocks(), vote.storedWrong());
        assertEquals(blocks(56L), vote.undecided());
    }

    @Test
    void withASingleEndpointItsAnswersAreTheOnlyVoicesThereAre() {
        Writers writers = wrote(FAITHFUL, 40, 59);
        var vote = ReconcileVote.decide(blocks(56L), Set.of(56L), Set.of(), n -> false, writers, Set.of(FAITHFUL),
                Set.of(FAITHFUL), false);
        assertEquals(blocks(56L), vote.aWrong(), "as before: the second answer and the stored rows outvote the first");
        var twice = ReconcileVote.decide(blocks(50L), Set.of(), Set.of(), n -> true, writers, Set.of(FAITHFUL),
                Set.of(FAITHFUL), false);
        assertEquals(blocks(), twice.undecided(), "two answers of the only endpoint agreeing with its rows settle them");
    }

    @Test
    void writersNameTheNewestEntryCoveringABlock() {
        Writers w = new Writers(List.of(new Writers.Entry(new Span(0, 19), FAULTY), new Writers.Entry(new Span(5, 9), FAITHFUL)));
        assertEquals(FAULTY, w.of(4).orElseThrow());
        assertEquals(FAITHFUL, w.of(5).orElseThrow());
        assertEquals(Set.of(FAULTY, FAITHFUL), w.within(new Span(0, 19)));
        assertEquals(Set.of(FAULTY), w.within(new Span(10, 30)));
        assertEquals(blocks(5L, 6L, 7L, 8L, 9L), w.blocksOf(Set.of(FAITHFUL), new Span(0, 30)));
        assertEquals(java.util.Optional.empty(), w.of(20));
    }
}
