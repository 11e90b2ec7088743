package dev.evmindexer.pipeline;

import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.StepPlan.Work;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chain's pipeline, advanced one {@link #step()} at a time by the daemon loop (which owns retries).
 * Each step re-reads the chain's state from the database, so it is correct after any error, restart or
 * concurrent CLI command.
 *
 * <p>Two phases split at the persisted finalized block {@code F} (ARCHITECTURE.md, the step): {@link RangePhase} fills
 * {@code [start, F] - coverage} in any order; then {@link Anchor} stores header({@code F}), confirmed by a second
 * endpoint where there is one, and {@link TipPhase} follows {@code F < n <= head} strictly in order, checking each
 * block's parent hash against the stored tip before anything of it is written. Which of them runs is decided by
 * {@link StepPlan#decide}, a pure function of what the step read; this class gathers its inputs and does the work.
 */
public final class ChainPipeline {
    private static final Logger log = LoggerFactory.getLogger(ChainPipeline.class);

    private final ChainSource source;
    private final EventStore store;
    private final List<EventTable> tables;
    private final ChainSettings settings;
    private final RangePhase rangePhase;
    private final CatchUp catchUp;
    private final Anchor anchor;
    private final TipPhase tipPhase;
    private final IndexBuild indexBuild;
    // Kept between steps, and passed to StepPlan.decide as inputs (StepPlan.Inputs says what each means).
    private boolean tipCheckedSinceF;
    private boolean caughtUp;
    private boolean indexesStarted;

    public ChainPipeline(ChainSource source, EventStore store, List<EventTable> tables, ChainSettings settings, LogRouter router) {
        if (tables.isEmpty()) throw new IllegalArgumentException("chain " + settings.name() + " has no event tables");
        this.source = source;
        this.store = store;
        this.tables = List.copyOf(tables);
        this.settings = settings;
        this.rangePhase = new RangePhase(source, store, router, settings);
        WalkBack walkBack = new WalkBack(source, store, settings);
        this.catchUp = new CatchUp(source, store, router, settings);
        this.anchor = new Anchor(source, store, settings, walkBack);
        this.tipPhase = new TipPhase(source, store, this.tables, settings, router, walkBack);
        this.indexBuild = new IndexBuild(store, rangePhase, this.tables, settings.name());
    }

    public ChainSettings settings() {
        return settings;
    }

    /**
     * Does the next unit of work: a batch of ranges, the anchor, a catch-up batch, a batch of tip blocks, a rollback, or
     * nothing. Asks {@link StepPlan#decide} what comes next until a piece of work ends the step with an outcome.
     */
    public Outcome step() throws InterruptedException {
        long chainId = settings.chainId();
        ChainState state = store.chain(chainId);
        Heads heads = null;
        Optional<StoredHeader> tip = Optional.empty();
        if (!state.halted()) { // a halted chain asks the node nothing: the decision stops at the halt
            heads = source.heads();
            tip = store.tip(chainId);
        }
        long storedF = state.finalized();
        long nodeF = heads == null ? storedF : settings.finalizedFrom(heads);
        boolean tipCheckedThisStep = false;
        boolean rangesDry = false;
        boolean headersPruned = false;
        boolean catchUpTried = false;
        boolean indexesTried = false;
        boolean finalityRecorded = state.finalityRule().filter(settings.finalityRule()::equals).isPresent();
        while (true) {
            var in = new StepPlan.Inputs(true, state.haltedReason().orElse(null), finalityRecorded, storedF, nodeF,
                    number(tip), tipCheckedSinceF, tipCheckedThisStep, rangesDry, headersPruned, caughtUp, catchUpTried,
                    indexesStarted, indexesTried);
            switch (StepPlan.decide(in)) {
                case Work.Halted h -> {
                    return new Outcome.Halted(h.reason());
                }
                case Work.RecordFinality r -> {
                    store.finalityRule(chainId, settings.finalityRule());
                    finalityRecorded = true;
                }
                case Work.AdvanceFinalized a -> {
                    store.advanceFinalized(chainId, a.f());
                    storedF = a.f();
                    // the stored headers F just passed become final: the one at min(F, tip) is checked again first
                    tipCheckedSinceF = false;
                }
                case Work.CheckStoredTip c -> {
                    Anchor.Check check = anchor.checkStored(tip.orElseThrow(), c.at(), heads, state.epoch());
                    if (check instanceof Anchor.Check.WalkedBack w) return w.outcome();
                    tipCheckedSinceF = check instanceof Anchor.Check.Agrees;
                    tipCheckedThisStep = true;
                }
                case Work.FillRanges r -> {
                    List<RangePhase.Unit> units = rangePhase.plan(tables, 0, r.f(), settings.rangesPerStep());
                    if (!units.isEmpty()) {
                        caughtUp = false; // range work may reset or add a table: catch-up looks again
                        tipPhase.forgetChildren();
                        return fill(units, state.epoch(), number(tip).orElse(-1));
                    }
                    rangesDry = true;
                }
                case Work.BuildIndexes b -> {
                    indexesStarted = indexBuild.startUnlessPending(b.f());
                    indexesTried = true;
                }
                case Work.StoreAnchor s -> {
                    Outcome stored = anchor.store(s.f(), state.epoch());
                    if (stored instanceof Outcome.Advanced) tipCheckedSinceF = true; // the new tip is the node's F
                    return stored;
                }
                case Work.PruneHeaders p -> {
                    store.pruneHeaders(chainId, p.f());
                    headersPruned = true;
                }
                case Work.CatchUp c -> {
                    switch (catchUp.run(tables, c.f(), tip.orElseThrow(), state.epoch())) {
                        case CatchUp.Advanced a -> {
                            tipPhase.forgetChildren();
                            return a.outcome();
                        }
                        case CatchUp.Done d -> caughtUp = true;
                        case CatchUp.Blocked b -> {
                            log.debug("catchup.blocked chain={} why=\"{}\"", settings.name(), b.why());
                            catchUpTried = true;
                        }
                    }
                }
                case Work.FollowTip t -> {
                    return tipPhase.follow(tip.orElseThrow(), heads, state.epoch());
                }
                case Work.Wait w -> {
                    return new Outcome.Idle(w.reason());
                }
            }
        }
    }

    /**
     * A standby's share of the work (another process leads the chain): range units below the stored {@code F}, which
     * only the leader moves, claimed like every process's. Nothing above a stored tip below {@code F}: the leader
     * checks that tip against the node first. Idle when there is nothing this process can claim.
     */
    public Outcome rangeWork() throws InterruptedException {
        ChainState state = store.chain(settings.chainId());
        OptionalLong tip = state.halted() ? OptionalLong.empty() : number(store.tip(settings.chainId()));
        long f = state.finalized();
        boolean rangesDry = false;
        while (true) {
            var in = new StepPlan.Inputs(false, state.haltedReason().orElse(null), true, f, f, tip, false, false,
                    rangesDry, false, false, false, true, true);
            Work work = StepPlan.decide(in);
            switch (work) {
                case Work.Halted h -> {
                    return new Outcome.Halted(h.reason());
                }
                case Work.FillRanges r -> {
                    List<RangePhase.Unit> units = rangePhase.plan(tables, 0, r.f(), settings.rangesPerStep());
                    if (!units.isEmpty()) return fill(units, state.epoch(), -1);
                    rangesDry = true;
                }
                case Work.Wait w -> {
                    return new Outcome.Idle(w.reason());
                }
                default -> throw new IllegalStateException("a standby was planned " + work + " for " + in);
            }
        }
    }

    /** Runs claimed range units; the outcome reports {@code tip} as the tip. */
    private Outcome fill(List<RangePhase.Unit> units, long epoch, long tip) throws InterruptedException {
        long rows = rangePhase.run(units, epoch, false);
        return new Outcome.Advanced(units.stream().mapToLong(u -> u.span().size()).sum(), rows, tip);
    }

    private static OptionalLong number(Optional<StoredHeader> header) {
        return header.map(h -> OptionalLong.of(h.number())).orElse(OptionalLong.empty());
    }
}
