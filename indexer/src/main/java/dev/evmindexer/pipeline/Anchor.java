package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.StoredHeader;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finality wall (ARCHITECTURE.md, anchor; invariant 4): stores header({@code F}) as the anchor every later walk-back
 * stops at, and checks that a stored header about to become final is still the node's.
 */
final class Anchor {
    private static final Logger log = LoggerFactory.getLogger(Anchor.class);
    /** Anchor reads in a row a second endpoint disagreed with before the step fails instead of idling. */
    static final int PATIENCE = 10;

    private final ChainSource source;
    private final EventStore store;
    private final ChainSettings settings;
    private final WalkBack walkBack;
    /** Anchor reads in a row a second endpoint disagreed with; see {@link #PATIENCE}. */
    private int disagreements;

    Anchor(ChainSource source, EventStore store, ChainSettings settings, WalkBack walkBack) {
        this.source = source;
        this.store = store;
        this.settings = settings;
        this.walkBack = walkBack;
    }

    /**
     * Stores header({@code f}) as the anchor when a second endpoint (where there is one that can tell) agrees:
     * {@link Outcome.Advanced} once stored, {@link Outcome.Idle} when not confirmed (the next step asks again).
     * One answer is not enough: an endpoint answering from another fork would halt the chain at its first tip block.
     *
     * @throws SourceException after {@link #PATIENCE} disagreements in a row, so the fault shows as a failed step
     */
    Outcome store(long f, long epoch) {
        ChainSource.Canonical node = source.canonical(f);
        BlockHeader anchor = node.header(f).orElseThrow(
                () -> new SourceException("node has no header at its own finalized block #" + f));
        if (!node.confirm(f, anchor.hash(), ChainSource.Canonical.IfNoneCanTell.GO_ON)) {
            log.warn("anchor.unconfirmed chain={} block={}", settings.name(), anchor);
            if (++disagreements >= PATIENCE) {
                // no longer a passing fault: a failed step shows in the step-error metric and /healthz's last error
                throw new SourceException("the endpoints have disagreed " + disagreements + " times in a row "
                        + "about the finalized block #" + f + " (last: " + anchor + "): check that every rpc entry of "
                        + "chain " + settings.name() + " serves its canonical chain");
            }
            return new Outcome.Idle("a second endpoint does not confirm the anchor " + anchor + "; asking again");
        }
        disagreements = 0;
        store.storeAnchor(settings.chainId(), epoch, anchor);
        log.info("anchor chain={} block={}", settings.name(), anchor);
        return new Outcome.Advanced(0, 0, anchor.number());
    }

    /** What comparing a stored header with the node's found. */
    sealed interface Check {
        /** The node has the same block there. */
        record Agrees() implements Check {}

        /** The node is below it, or one of the two headers is missing: nothing to compare yet. */
        record CannotTell() implements Check {}

        /** They differ: the walk-back's outcome (a rollback or a halt). */
        record WalkedBack(Outcome outcome) implements Check {}
    }

    /** Compares the stored header at {@code at} with the node's; a mismatch is an ordinary reorg, walked back. */
    Check checkStored(StoredHeader tip, long at, Heads heads, long epoch) {
        if (heads.head() < at) return new Check.CannotTell(); // the tip phase handles a lagging node
        Optional<StoredHeader> stored = store.header(settings.chainId(), at);
        Optional<BlockHeader> canonical = source.header(at);
        if (stored.isEmpty() || canonical.isEmpty()) return new Check.CannotTell();
        if (stored.get().hash().equals(canonical.get().hash())) return new Check.Agrees();
        log.warn("reorg.detected chain={} at=#{} stored={} node={}", settings.name(), at, stored.get(), canonical.get());
        return new Check.WalkedBack(walkBack.walkBack(at, tip, epoch));
    }
}
