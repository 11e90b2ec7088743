package dev.evmindexer.pipeline;

import java.util.OptionalLong;

/**
 * The decision of {@link ChainPipeline#step()}, kept apart from doing it (ARCHITECTURE.md, the step): given what the
 * step knows so far, {@link #decide} names the next piece of work. It reads nothing and writes nothing, so every rule of
 * the order between the phases is in this file and its table-driven test ({@code StepPlanTest}).
 *
 * <p>A step asks again after each piece of work that does not end it (a check that agreed, range planning that claimed
 * nothing, a catch-up with nothing left), with what that work learned added to the inputs; the first piece that
 * returns an {@link Outcome} ends the step. State kept between steps is an explicit input
 * ({@link Inputs#tipCheckedSinceF}, {@link Inputs#caughtUp}, {@link Inputs#indexesStarted}); everything else the step
 * re-reads.
 */
final class StepPlan {
    private StepPlan() {}

    /**
     * What a step knows when it decides.
     *
     * @param leads            whether this process leads the chain (steps it) or stands by (only claims range work
     *                         below the stored {@code F}, which only the leader moves)
     * @param haltedReason     why the chain is halted, or null; a halted chain's other inputs are not read
     * @param finalityRecorded whether the stored finality rule is this process's ({@code ChainState.finalityRule})
     * @param storedF          the persisted finalized block {@code F} (-1: none yet)
     * @param nodeF            the finalized block the node implies ({@code ChainSettings.finalizedFrom}); a standby
     *                         does not ask the node and passes {@code storedF}
     * @param tip              the stored tip's number, empty when no header is stored
     * @param tipCheckedSinceF whether the stored header at {@code min(F, tip)} was found to be the node's since this
     *                         process started or {@code F} last moved (kept between steps)
     * @param tipCheckedThisStep whether this step already compared it (agreeing, or the node too low to tell)
     * @param rangesDry        whether range planning this step claimed nothing
     * @param headersPruned    whether this step already pruned the headers below {@code F}
     * @param caughtUp         whether no table lacks blocks of {@code (F, tip]} (kept between steps; false on start and
     *                         after any range work)
     * @param catchUpTried     whether this step already ran a catch-up that could not go on (blocked)
     * @param indexesStarted   whether this process started the build of the configured indexes (kept between steps)
     * @param indexesTried     whether this step already asked for the build and other processes still held range work
     */
    record Inputs(boolean leads, String haltedReason, boolean finalityRecorded, long storedF, long nodeF, OptionalLong tip,
            boolean tipCheckedSinceF, boolean tipCheckedThisStep, boolean rangesDry, boolean headersPruned,
            boolean caughtUp, boolean catchUpTried, boolean indexesStarted, boolean indexesTried) {}

    /** The next piece of work of a step. */
    sealed interface Work {
        /** The chain is halted: nothing is done until a {@code rollback}. */
        record Halted(String reason) implements Work {}

        /** Record this process's finality rule for the chain (it leads it; a standby's differing rule is refused). */
        record RecordFinality() implements Work {}

        /** The node's finalized block passed the stored one: raise the stored {@code F} to {@code f}. */
        record AdvanceFinalized(long f) implements Work {}

        /** Compare the stored header at {@code at} with the node's (a mismatch walks back). */
        record CheckStoredTip(long at) implements Work {}

        /** Claim and fill range units of {@code [start, f] - coverage}. */
        record FillRanges(long f) implements Work {}

        /**
         * Build the configured indexes in the background once nothing of {@code [start, f]} is left to anyone (other
         * processes may still hold units: then not yet).
         */
        record BuildIndexes(long f) implements Work {}

        /** Store header({@code f}), confirmed, as the anchor the tip phase follows from. */
        record StoreAnchor(long f) implements Work {}

        /** Delete the stored headers below {@code f} except the anchor. */
        record PruneHeaders(long f) implements Work {}

        /** Catch up a table that lacks blocks of {@code (f, tip]} from the stored headers. */
        record CatchUp(long f) implements Work {}

        /** Follow the node above the stored tip, strictly in order. */
        record FollowTip() implements Work {}

        /** Nothing this process may do now. */
        record Wait(String reason) implements Work {}
    }

    /** The next piece of work; the order of the checks below is the order of the phases. */
    static Work decide(Inputs in) {
        if (in.haltedReason() != null) return new Work.Halted(in.haltedReason());
        if (!in.leads()) return standby(in);
        if (!in.finalityRecorded()) return new Work.RecordFinality();
        if (in.nodeF() > in.storedF()) return new Work.AdvanceFinalized(in.nodeF());
        long f = in.storedF();
        // Before any range work above a stored tip, and before the headers F just passed become final: the stored header
        // at min(F, tip) must still be the node's (a daemon that fell behind may have missed a reorg of it), else it is
        // an ordinary reorg to walk back, never an overwrite. Checked on start, each time F moves, and on every step
        // while the tip is below F (the range phase, ours or a backfill's, fills above it).
        if (in.tip().isPresent() && !in.tipCheckedThisStep()) {
            long tip = in.tip().getAsLong();
            if (tip < f || !in.tipCheckedSinceF()) return new Work.CheckStoredTip(Math.min(f, tip));
        }
        if (!in.rangesDry()) return new Work.FillRanges(f);
        if (!in.indexesStarted() && !in.indexesTried()) return new Work.BuildIndexes(f);
        // Other processes may still hold units below F: the anchor and the tip go on without waiting for them.
        if (in.tip().isEmpty() || in.tip().getAsLong() < f) return new Work.StoreAnchor(f);
        if (!in.headersPruned()) return new Work.PruneHeaders(f);
        // a blocked catch-up lets the tip phase go first (it walks back if the node's chain moved)
        if (!in.caughtUp() && !in.catchUpTried()) return new Work.CatchUp(f);
        return new Work.FollowTip();
    }

    /** A standby's share: range units below the stored {@code F}, never above a stored tip the leader has not checked. */
    private static Work standby(Inputs in) {
        long f = in.storedF();
        if (f < 0 || (in.tip().isPresent() && in.tip().getAsLong() < f)) {
            return new Work.Wait("the leader checks the stored tip first");
        }
        if (!in.rangesDry()) return new Work.FillRanges(f);
        return new Work.Wait("no range work left to claim");
    }
}
