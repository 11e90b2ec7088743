package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Log;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chain's pipeline, advanced one {@link #step()} at a time by the daemon loop (which owns retries).
 * Each step re-reads the chain's state from the database, so it is correct after any error, restart or
 * concurrent CLI command.
 *
 * <p>Two phases split at the persisted finalized block {@code F} (DESIGN.md): the range phase fills
 * {@code [start, F] - coverage} in any order; then header({@code F}), confirmed by a second endpoint where there
 * is one, is stored as the anchor and the tip
 * phase follows {@code F < n <= head} strictly in order, checking each block's parent hash against the
 * stored tip before anything of it is written.
 */
public final class ChainPipeline {
    private static final Logger log = LoggerFactory.getLogger(ChainPipeline.class);

    private final ChainSource source;
    private final EventStore store;
    private final List<EventTable> tables;
    private final ChainSettings settings;
    private final LogRouter router;
    private final LogFilter tipFilter;
    private final RangePhase rangePhase;
    private final WalkBack walkBack;
    private final CatchUp catchUp;
    /** Anchor reads in a row a second endpoint disagreed with; see {@link #ANCHOR_PATIENCE}. */
    static final int ANCHOR_PATIENCE = 10;
    private int anchorDisagreements;
    private boolean tipVerified;
    /** No table lacks blocks of (F, tip]; false on start and after any range work (a reset, a table added). */
    private boolean caughtUp;
    private boolean indexesEnsured;
    private boolean finalityRecorded;
    /**
     * The child sets as of the stored tip {@link #childrenTip} under {@link #childrenEpoch}, kept between tip steps (the
     * tip phase adds the children its blocks create); null when they must be read again (after range or catch-up work,
     * which may add children below the tip, or a failed commit).
     */
    private Children children;
    private dev.evmindexer.eth.Hash childrenTip;
    private long childrenEpoch = -1;

    public ChainPipeline(ChainSource source, EventStore store, List<EventTable> tables, ChainSettings settings, LogRouter router) {
        if (tables.isEmpty()) throw new IllegalArgumentException("chain " + settings.name() + " has no event tables");
        this.source = source;
        this.store = store;
        this.tables = List.copyOf(tables);
        this.settings = settings;
        this.router = router;
        this.tipFilter = LogRouter.union(tables);
        this.rangePhase = new RangePhase(source, store, router, settings);
        this.walkBack = new WalkBack(source, store, settings);
        this.catchUp = new CatchUp(source, store, router, settings);
    }

    public ChainSettings settings() {
        return settings;
    }

    /** Does the next unit of work: a batch of ranges, a batch of tip blocks, a rollback, or nothing. */
    public Outcome step() throws InterruptedException {
        long chainId = settings.chainId();
        ChainState state = store.chain(chainId);
        if (state.halted()) return new Outcome.Halted(state.haltedReason().get());
        if (!finalityRecorded) {
            store.finalityRule(chainId, settings.finalityRule());
            finalityRecorded = true;
        }

        Heads heads = source.heads();
        long f = Math.max(state.finalized(), settings.finalizedFrom(heads));
        if (f > state.finalized()) {
            store.advanceFinalized(chainId, f);
            // The stored headers F just passed become final, and the highest of them the anchor every walk-back stops
            // at. They were the node's when written, but a daemon that fell behind may have missed a reorg of them
            // since (a reorg above the old F): the one at min(F, tip) must still be the node's before it is final.
            tipVerified = false;
        }

        Optional<BlockHeader> tip = store.tip(chainId);
        if (tip.isPresent() && tip.get().number() < f) {
            // The range phase (ours or a concurrent backfill's) fills above the stored tip: it must still be
            // the node's, checked on every such step, before anything above it is planned or anchored.
            tipVerified = false;
        }
        if (tip.isPresent() && !tipVerified) {
            // On start, and before the range phase fills anything above a stored tip: the stored header at
            // min(F, tip) must still be the node's, else it is an ordinary reorg (walk back), never an overwrite.
            Outcome checked = verifyStoredChain(tip.get(), Math.min(f, tip.get().number()), heads, state.epoch());
            if (checked != null) return checked;
        }

        List<RangePhase.Unit> units = rangePhase.plan(tables, 0, f, settings.rangesPerStep());
        if (!units.isEmpty()) {
            caughtUp = false;
            children = null;
            long rows = rangePhase.run(units, state.epoch(), false);
            long blocks = units.stream().mapToLong(u -> u.span().size()).sum();
            return new Outcome.Advanced(blocks, rows, tip.map(BlockHeader::number).orElse(-1L));
        }

        // Other processes may still hold units below F: the anchor and the tip go on, the indexes wait for them.
        if (!indexesEnsured && !rangePhase.pending(tables, 0, f)) {
            // the range phase is done: now the secondary indexes, on their own thread so the tip is not held up
            // by a long CREATE INDEX CONCURRENTLY (a no-op once they exist; retried on the next start if it fails)
            indexesEnsured = true;
            Thread.ofVirtual().name("indexes-" + settings.name()).start(() -> {
                try {
                    store.ensureIndexes(tables);
                } catch (RuntimeException e) {
                    log.warn("index.failed chain={} cause=\"{}\" (retried on the next start)", settings.name(), e.getMessage());
                }
            });
        }
        if (tip.isEmpty() || tip.get().number() < f) {
            // The anchor is the wall every later walk-back stops at, so one answer is not enough: an endpoint
            // answering from another fork would halt the chain at its first tip block. A second endpoint (where
            // there is one that can tell) must agree; otherwise nothing is stored and the next step asks again.
            ChainSource.Canonical node = source.canonical(f);
            BlockHeader anchor = node.header(f).orElseThrow(
                    () -> new SourceException("node has no header at its own finalized block #" + f));
            if (!node.confirm(f, anchor.hash(), ChainSource.Canonical.IfNoneCanTell.GO_ON)) {
                log.warn("anchor.unconfirmed chain={} block={}", settings.name(), anchor);
                if (++anchorDisagreements >= ANCHOR_PATIENCE) {
                    // no longer a passing fault: a failed step shows in the step-error metric and /healthz's last error
                    throw new SourceException("the endpoints have disagreed " + anchorDisagreements + " times in a row "
                            + "about the finalized block #" + f + " (last: " + anchor + "): check that every rpc entry of "
                            + "chain " + settings.name() + " serves its canonical chain");
                }
                return new Outcome.Idle("a second endpoint does not confirm the anchor " + anchor + "; asking again");
            }
            anchorDisagreements = 0;
            store.storeAnchor(chainId, state.epoch(), anchor);
            tipVerified = true;
            log.info("anchor chain={} block={}", settings.name(), anchor);
            return new Outcome.Advanced(0, 0, anchor.number());
        }
        store.pruneHeaders(chainId, f);
        if (!caughtUp) {
            switch (catchUp.run(tables, f, tip.get(), state.epoch())) {
                case CatchUp.Advanced a -> {
                    children = null;
                    return a.outcome();
                }
                case CatchUp.Done d -> caughtUp = true;
                case CatchUp.Blocked b -> // the tip phase goes first (a walk-back if the node's chain moved); not done
                        log.debug("catchup.blocked chain={} why=\"{}\"", settings.name(), b.why());
            }
        }
        return followTip(tip.get(), heads, state.epoch());
    }

    /**
     * A standby's share of the work (another process leads the chain): range units below the stored {@code F}, which
     * only the leader moves, claimed like every process's. Nothing above a stored tip below {@code F}: the leader
     * checks that tip against the node first. Idle when there is nothing this process can claim.
     */
    public Outcome rangeWork() throws InterruptedException {
        ChainState state = store.chain(settings.chainId());
        if (state.halted()) return new Outcome.Halted(state.haltedReason().get());
        long f = state.finalized();
        Optional<BlockHeader> tip = store.tip(settings.chainId());
        if (f < 0 || (tip.isPresent() && tip.get().number() < f)) return new Outcome.Idle("the leader checks the stored tip first");
        List<RangePhase.Unit> units = rangePhase.plan(tables, 0, f, settings.rangesPerStep());
        if (units.isEmpty()) return new Outcome.Idle("no range work left to claim");
        long rows = rangePhase.run(units, state.epoch(), false);
        return new Outcome.Advanced(units.stream().mapToLong(u -> u.span().size()).sum(), rows, -1);
    }

    /** Compares the stored header at {@code at} with the node's; null when they agree (or the node lags). */
    private Outcome verifyStoredChain(BlockHeader tip, long at, Heads heads, long epoch) {
        if (heads.head() < at) return null; // cannot check yet: the tip phase handles a lagging node
        Optional<BlockHeader> stored = store.header(settings.chainId(), at);
        Optional<BlockHeader> canonical = source.header(at);
        if (stored.isEmpty() || canonical.isEmpty()) return null;
        if (stored.get().hash().equals(canonical.get().hash())) {
            tipVerified = true;
            return null;
        }
        log.warn("reorg.detected chain={} at=#{} stored={} node={}", settings.name(), at, stored.get(), canonical.get());
        return walkBack.walkBack(at, tip, epoch);
    }

    private Outcome followTip(BlockHeader tip, Heads heads, long epoch) {
        if (heads.head() < tip.number()) {
            // A node below our tip is compared at its own head: same hash there means it lags.
            Optional<BlockHeader> stored = store.header(settings.chainId(), heads.head());
            Optional<BlockHeader> atHead = source.header(heads.head());
            if (stored.isEmpty() || atHead.isEmpty() || stored.get().hash().equals(atHead.get().hash())) {
                return new Outcome.Idle("node head #" + heads.head() + " is below our tip " + tip + ": lagging");
            }
            return walkBack.walkBack(heads.head(), tip, epoch);
        }
        if (heads.head() == tip.number()) {
            Optional<BlockHeader> atTip = source.header(tip.number());
            if (atTip.isPresent() && !atTip.get().hash().equals(tip.hash())) {
                return walkBack.walkBack(tip.number(), tip, epoch);
            }
            return new Outcome.Idle("at head #" + heads.head());
        }
        List<BlockHeader> headers = source.headers(tip.number() + 1, Math.min(heads.head(), tip.number() + settings.tipBatch()));
        if (headers.isEmpty()) return new Outcome.Idle("node returned no header above our tip " + tip);
        if (!tip.ref().isParentOf(headers.get(0).ref())) {
            log.warn("reorg.detected chain={} block={} parent={} stored_tip={}", settings.name(), headers.get(0),
                    headers.get(0).parentHash().shortHex(), tip);
            return walkBack.walkBack(tip.number(), tip, epoch);
        }
        List<TipBlock> blocks = new ArrayList<>(headers.size());
        long rows = 0;
        // child tables are fetched by topic (their filters name no address) and kept by the child set, to which each
        // block's factory rows add their children before that block's child rows are routed: a child is followed from
        // its creation block, even when it emits in the same transaction
        Children known = children != null && tip.hash().equals(childrenTip) && childrenEpoch == epoch ? children
                : Children.load(store, settings.chainId(), tables, tip.number());
        children = null;
        for (BlockHeader h : headers) {
            List<Log> logs;
            try {
                logs = source.blockLogs(h, tipFilter);
            } catch (BlockGoneException e) {
                return new Outcome.Idle("block " + h + " vanished while fetching its logs (reorg in progress)");
            }
            Map<Long, BlockHeader> one = new HashMap<>();
            one.put(h.number(), h);
            List<TableRows> routed = TxColumns.attach(source, router.route(tables, logs, one::get, known));
            rows += routed.stream().mapToLong(r -> r.rows().size()).sum();
            blocks.add(new TipBlock(h, routed));
        }
        store.commitBlocks(settings.chainId(), epoch, tip, blocks);
        BlockHeader last = headers.get(headers.size() - 1);
        children = known;
        childrenTip = last.hash();
        childrenEpoch = epoch;
        log.debug("tip.commit chain={} blocks={}..{} rows={}", settings.name(), headers.get(0).number(), last.number(), rows);
        return new Outcome.Advanced(headers.size(), rows, last.number());
    }
}
