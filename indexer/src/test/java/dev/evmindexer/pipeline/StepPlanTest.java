package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evmindexer.pipeline.StepPlan.Inputs;
import dev.evmindexer.pipeline.StepPlan.Work;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link StepPlan#decide}: what a step knows in, the next piece of work out; one row per case. */
class StepPlanTest {
    private static final String HALT = "reorg below the anchor";
    private static final String LEADER_FIRST = "the leader checks the stored tip first";
    private static final String NOTHING_TO_CLAIM = "no range work left to claim";

    /**
     * Inputs being built: defaults (a leader whose finality rule is recorded and whose index build has started, F stored
     * at 100 and the node's too, no tip, nothing done yet this step) and setters.
     */
    private static final class S {
        private boolean leads = true;
        private String halted;
        private boolean finalityRecorded = true;
        private long storedF = 100;
        private long nodeF = 100;
        private OptionalLong tip = OptionalLong.empty();
        private boolean checkedSinceF;
        private boolean checkedThisStep;
        private boolean dry;
        private boolean pruned;
        private boolean caughtUp;
        private boolean catchUpTried;
        private boolean indexesStarted = true;
        private boolean indexesTried;

        static S leader() {
            return new S();
        }

        static S standby() {
            S s = new S();
            s.leads = false;
            return s;
        }

        S halted(String why) {
            halted = why;
            return this;
        }

        S finalityUnrecorded() {
            finalityRecorded = false;
            return this;
        }

        S indexesNotStarted() {
            indexesStarted = false;
            return this;
        }

        S indexesTried() {
            indexesTried = true;
            return this;
        }

        S indexesStarted() {
            indexesStarted = true;
            return this;
        }

        S f(long stored, long node) {
            storedF = stored;
            nodeF = node;
            return this;
        }

        S tip(long n) {
            tip = OptionalLong.of(n);
            return this;
        }

        S checkedSinceF() {
            checkedSinceF = true;
            return this;
        }

        S checkedThisStep() {
            checkedThisStep = true;
            return this;
        }

        S dry() {
            dry = true;
            return this;
        }

        S pruned() {
            pruned = true;
            return this;
        }

        S caughtUp() {
            caughtUp = true;
            return this;
        }

        S catchUpBlocked() {
            catchUpTried = true;
            return this;
        }

        Inputs in() {
            return new Inputs(leads, halted, finalityRecorded, storedF, nodeF, tip, checkedSinceF, checkedThisStep, dry,
                    pruned, caughtUp, catchUpTried, indexesStarted, indexesTried);
        }

        @Override
        public String toString() {
            return in().toString();
        }
    }

    private static Arguments row(String name, S state, Work work) {
        return Arguments.of(name, state, work);
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                // the halt comes before everything, the node is not even asked
                row("halted", S.leader().halted(HALT).f(100, 200).tip(50), new Work.Halted(HALT)),
                row("halted standby", S.standby().halted(HALT), new Work.Halted(HALT)),
                // the finality rule is recorded first (the leader's; a halted chain or a standby records nothing)
                row("finality unrecorded", S.leader().finalityUnrecorded().f(100, 120).tip(150), new Work.RecordFinality()),
                row("finality unrecorded, halted", S.leader().finalityUnrecorded().halted(HALT), new Work.Halted(HALT)),
                row("standby records no finality", S.standby().finalityUnrecorded(), new Work.FillRanges(100)),
                // F moves first, before the stored tip is checked or anything planned below the new F
                row("node F above stored F", S.leader().f(100, 120).tip(150), new Work.AdvanceFinalized(120)),
                row("F passed a checked tip", S.leader().f(100, 120).tip(110).checkedSinceF(), new Work.AdvanceFinalized(120)),
                row("node F below stored F never lowers it", S.leader().f(100, 90), new Work.FillRanges(100)),
                // the stored tip is checked on start / after F moved, and every step while it is below F
                row("start with a tip above F", S.leader().tip(150), new Work.CheckStoredTip(100)),
                row("start with a tip below F", S.leader().tip(80), new Work.CheckStoredTip(80)),
                row("tip below F, checked before", S.leader().tip(80).checkedSinceF(), new Work.CheckStoredTip(80)),
                row("tip at F, unchecked", S.leader().tip(100), new Work.CheckStoredTip(100)),
                // ... before any range work
                row("tip below F, checked this step", S.leader().tip(80).checkedThisStep(), new Work.FillRanges(100)),
                row("tip above F, checked since F", S.leader().tip(150).checkedSinceF(), new Work.FillRanges(100)),
                row("node too low to tell: ranges go on", S.leader().tip(150).checkedThisStep(), new Work.FillRanges(100)),
                row("no tip: nothing to check", S.leader(), new Work.FillRanges(100)),
                // ranges before the anchor: only once planning claimed nothing
                row("no tip, ranges dry", S.leader().dry(), new Work.StoreAnchor(100)),
                row("tip below F, ranges dry", S.leader().tip(80).checkedThisStep().dry(), new Work.StoreAnchor(100)),
                row("anchor waits for the ranges", S.leader().tip(80).checkedThisStep(), new Work.FillRanges(100)),
                // the index build is asked for once the ranges run dry, before the anchor; once per step while others
                // still hold range work, never again once started
                row("ranges dry, indexes not started", S.leader().indexesNotStarted().dry(), new Work.BuildIndexes(100)),
                row("indexes wait for the ranges", S.leader().indexesNotStarted(), new Work.FillRanges(100)),
                row("indexes tried this step", S.leader().indexesNotStarted().indexesTried().dry(), new Work.StoreAnchor(100)),
                row("standby builds no indexes", S.standby().indexesNotStarted().dry(), new Work.Wait(NOTHING_TO_CLAIM)),
                // at or above F: prune, then catch-up, then the tip
                row("tip at F, ranges dry", S.leader().tip(100).checkedSinceF().dry(), new Work.PruneHeaders(100)),
                row("pruned, not caught up", S.leader().tip(150).checkedSinceF().dry().pruned(), new Work.CatchUp(100)),
                row("caught up", S.leader().tip(150).checkedSinceF().dry().pruned().caughtUp(), new Work.FollowTip()),
                row("catch-up blocked: the tip goes first",
                        S.leader().tip(150).checkedSinceF().dry().pruned().catchUpBlocked(), new Work.FollowTip()),
                row("catch-up before the tip", S.leader().tip(150).checkedThisStep().dry().pruned(), new Work.CatchUp(100)),
                // a standby never moves F, checks no tip, and waits where the leader must go first
                row("standby, no F yet", S.standby().f(-1, -1), new Work.Wait(LEADER_FIRST)),
                row("standby, tip below F", S.standby().tip(80).checkedSinceF(), new Work.Wait(LEADER_FIRST)),
                row("standby, node F above stored F", S.standby().f(100, 120), new Work.FillRanges(100)),
                row("standby, unchecked tip above F", S.standby().tip(150), new Work.FillRanges(100)),
                row("standby, ranges dry", S.standby().tip(150).dry(), new Work.Wait(NOTHING_TO_CLAIM)),
                row("standby, no tip, ranges dry", S.standby().dry(), new Work.Wait(NOTHING_TO_CLAIM)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(String name, S state, Work expected) {
        assertEquals(expected, StepPlan.decide(state.in()), name);
    }

    /**
     * One step of a leader restarted after F moved, with a stored tip above it and a table to catch up, where every
     * piece of work goes on to the next: the order of the whole step.
     */
    @Test
    void aStepThatFallsThroughEveryPhaseRunsThemInOrder() {
        S s = S.leader().finalityUnrecorded().indexesNotStarted().f(100, 120).tip(150);
        List<Work> done = new ArrayList<>();
        while (s != null && done.size() < 10) {
            Work w = StepPlan.decide(s.in());
            done.add(w);
            s = switch (w) {
                case Work.RecordFinality r -> {
                    s.finalityRecorded = true;
                    yield s;
                }
                case Work.AdvanceFinalized a -> s.f(a.f(), a.f());
                case Work.BuildIndexes b -> s.indexesStarted();
                case Work.CheckStoredTip c -> s.checkedThisStep().checkedSinceF();
                case Work.FillRanges r -> s.dry();
                case Work.PruneHeaders p -> s.pruned();
                case Work.CatchUp c -> s.caughtUp();
                default -> null; // work that ends the step
            };
        }
        assertEquals(List.of(new Work.RecordFinality(), new Work.AdvanceFinalized(120), new Work.CheckStoredTip(120),
                new Work.FillRanges(120), new Work.BuildIndexes(120), new Work.PruneHeaders(120), new Work.CatchUp(120), new Work.FollowTip()), done);
    }
}
