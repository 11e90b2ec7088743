package dev.evmindexer.pipeline;

import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * The pure part of reconciliation (ARCHITECTURE.md, invariant 9): which endpoints to ask, and the two-of-three vote of
 * each block between the stored rows and two answers. An endpoint's answer that matches the rows its own earlier
 * answer wrote is not a second voice: where other endpoints exist, the writer is not asked first, the second answer
 * comes preferably from an endpoint that wrote none of the blocks in question, and a block whose only agreement with
 * the stored rows comes from their writer stays undecided (asked again later) rather than outvoting the other endpoint.
 * Asking the same endpoint twice never makes two voices either, except with a single endpoint, where nothing else can:
 * there the writer's rows are settled only once two of its answers agree with them.
 */
final class ReconcileVote {
    private ReconcileVote() {}

    /**
     * The index of the first endpoint of {@code names}, in rotation from {@code from}, that is not in {@code avoid};
     * -1 when all are.
     */
    static int pick(List<String> names, int from, Set<String> avoid) {
        for (int i = 0; i < names.size(); i++) {
            int k = Math.floorMod(from + i, names.size());
            if (!avoid.contains(names.get(k))) return k;
        }
        return -1;
    }

    /**
     * The endpoint for the first answer, as an index in rotation from {@code from}: one that wrote none of the range
     * ({@code writers}); else the rotation's turn.
     */
    static int first(List<String> names, int from, Set<String> writers) {
        int k = pick(names, from, writers);
        return k < 0 ? Math.floorMod(from, names.size()) : k;
    }

    /**
     * The endpoint for the second answer, as an index in rotation from {@code from}: one that gave no part of the first
     * answer and wrote none of the {@code suspect} blocks' rows ({@code suspectWriters}); else any other than the
     * first's; else the first's again (a single endpoint).
     */
    static int second(List<String> names, int from, Set<String> first, Set<String> suspectWriters) {
        Set<String> both = new java.util.HashSet<>(first);
        both.addAll(suspectWriters);
        int k = pick(names, from, both);
        if (k < 0) k = pick(names, from, first);
        return k < 0 ? Math.floorMod(from, names.size()) : k;
    }

    /** What the vote decided, block by block. */
    record Result(NavigableSet<Long> aWrong, NavigableSet<Long> bWrong, NavigableSet<Long> storedWrong,
            NavigableSet<Long> undecided) {}

    /**
     * Decides each block of {@code look} (those where an answer differs from the stored rows, and those only their
     * writer confirmed): the one of three (stored rows, answer a, answer b) that disagrees with the other two is wrong,
     * unless the two that agree are the stored rows and their own writer's answer ({@code several}: there were other
     * endpoints to ask), or the two answers came from one endpoint, which leaves it undecided; so do three different
     * versions.
     *
     * @param differA     blocks where answer a differs from the stored rows
     * @param differB     blocks where answer b differs from the stored rows
     * @param answersAgree whether the two answers hold the same rows in a block
     */
    static Result decide(NavigableSet<Long> look, Set<Long> differA, Set<Long> differB, LongPredicate answersAgree,
            Writers writers, Set<String> a, Set<String> b, boolean several) {
        TreeSet<Long> aWrong = new TreeSet<>();
        TreeSet<Long> bWrong = new TreeSet<>();
        TreeSet<Long> storedWrong = new TreeSet<>();
        TreeSet<Long> undecided = new TreeSet<>();
        // both answers from one endpoint (the others out of rotation) are one voice where there were others to ask
        boolean oneVoice = several && !java.util.Collections.disjoint(a, b);
        for (long n : look) {
            boolean inA = differA.contains(n);
            boolean inB = differB.contains(n);
            String writer = writers.of(n).orElse(null);
            boolean aIsWriter = several && writer != null && a.contains(writer);
            boolean bIsWriter = several && writer != null && b.contains(writer);
            if (oneVoice && (inA || inB)) {
                undecided.add(n);
            } else if (inA && inB) {
                (answersAgree.test(n) ? storedWrong : undecided).add(n);
            } else if (inA) {
                (bIsWriter ? undecided : aWrong).add(n);
            } else if (inB) {
                (aIsWriter ? undecided : bWrong).add(n);
            } else if (aIsWriter && bIsWriter) {
                undecided.add(n); // only the writer said so, twice
            }
        }
        return new Result(aWrong, bWrong, storedWrong, undecided);
    }
}
