package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.ChainSource.Canonical.IfNoneCanTell;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks back from a block where the stored chain and the node disagree to their common ancestor, then
 * rolls back to it in one transaction (ARCHITECTURE.md, invariant 3). It never passes the anchor (the lowest
 * stored header) nor goes deeper than {@code max_reorg_depth}: either halts the chain (invariant 4).
 */
final class WalkBack {
    private static final Logger log = LoggerFactory.getLogger(WalkBack.class);
    /** Rollbacks deeper than this, and every halt, need a second endpoint's agreement (where there is one). */
    static final int CONFIRM_DEPTH = 3;

    private final ChainSource source;
    private final EventStore store;
    private final ChainSettings settings;

    WalkBack(ChainSource source, EventStore store, ChainSettings settings) {
        this.source = source;
        this.store = store;
        this.settings = settings;
    }

    /**
     * Finds the common ancestor at or below {@code from} (a height where the stored hash is known to
     * differ from, or not link to, the node's) and rolls back to it. All headers come from one endpoint whose
     * head is at or above our tip; a rollback deeper than {@link #CONFIRM_DEPTH} or a halt first needs a second
     * endpoint to agree on the new chain's block just above the ancestor (or at the deepest height compared).
     */
    Outcome walkBack(long from, StoredHeader tip, long epoch) {
        long chainId = settings.chainId();
        StoredHeader anchor = store.anchor(chainId).orElseThrow(() -> new IllegalStateException("no anchor stored"));
        ChainSource.Canonical node = source.canonical(tip.number());
        BlockHeader differing = null; // the lowest node header seen to differ from the stored one
        long k = Math.min(from, tip.number());
        while (true) {
            long depth = tip.number() - k;
            if (depth > settings.maxReorgDepth()) {
                if (!confirmed(node, differing, IfNoneCanTell.WAIT)) return unconfirmed(differing, "halt");
                return halt("reorg deeper than max_reorg_depth " + settings.maxReorgDepth()
                        + ": stored tip " + tip + " has no common ancestor with the node down to #" + (k + 1), epoch);
            }
            if (k < anchor.number()) {
                if (!confirmed(node, differing, IfNoneCanTell.WAIT)) return unconfirmed(differing, "halt");
                return halt("reorg passes the finalized anchor " + anchor
                        + ": the node's chain differs at or below it (a finality violation or a wrong endpoint)", epoch);
            }
            Optional<StoredHeader> stored = store.header(chainId, k);
            Optional<BlockHeader> canonical = node.header(k);
            if (stored.isEmpty()) {
                throw new IllegalStateException("stored header #" + k + " missing between anchor and tip");
            }
            if (canonical.isEmpty()) {
                // the pinned endpoint fell below k meanwhile: retry the step rather than count it as a deeper reorg
                throw new SourceException("walk-back: the node has no header at #" + k + " (below its head a moment ago)");
            }
            if (canonical.get().hash().equals(stored.get().hash())) {
                if (k == tip.number()) {
                    return new Outcome.Idle("endpoints disagree about " + tip + "; nothing rolled back, retrying");
                }
                if (depth > CONFIRM_DEPTH && !confirmed(node, differing, IfNoneCanTell.GO_ON)) {
                    return unconfirmed(differing, "rollback");
                }
                return rollback(k, tip, epoch);
            }
            differing = canonical.get();
            k--;
        }
    }

    private static boolean confirmed(ChainSource.Canonical node, BlockHeader differing, IfNoneCanTell ifNoneCanTell) {
        return differing == null || node.confirm(differing.number(), differing.hash(), ifNoneCanTell);
    }

    private Outcome unconfirmed(BlockHeader differing, String what) {
        String why = "no " + what + ": a second endpoint does not confirm block " + differing
                + " of the new chain; waiting for the endpoints to agree";
        log.warn("reorg.unconfirmed chain={} block={} action={}", settings.name(), differing, what);
        return new Outcome.Idle(why);
    }

    private Outcome rollback(long ancestor, StoredHeader tip, long epoch) {
        long depth = tip.number() - ancestor;
        RollbackResult r = store.rollback(settings.chainId(), epoch, ancestor,
                "reorg: " + depth + " block(s) above #" + ancestor + " replaced");
        log.warn("reorg chain={} ancestor=#{} depth={} old_tip={} rows_deleted={}",
                settings.name(), ancestor, depth, tip, r.rowsDeleted());
        return new Outcome.Reorged(ancestor, depth, r.rowsDeleted());
    }

    private Outcome halt(String reason, long epoch) {
        store.halt(settings.chainId(), epoch, reason);
        log.error("halt chain={} reason=\"{}\" way_out=\"indexer rollback --config F --chain {} --to N\"",
                settings.name(), reason, settings.name());
        return new Outcome.Halted(reason);
    }
}
