package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.StoredHeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tip phase (ARCHITECTURE.md, tip phase): follows the node above the stored tip, {@code F < n <= head}, strictly in
 * order, checking each batch's first parent hash against the stored tip before anything of it is written; a mismatch,
 * or a node below our tip on another chain, walks back.
 */
final class TipPhase {
    private static final Logger log = LoggerFactory.getLogger(TipPhase.class);

    private final ChainSource source;
    private final EventStore store;
    private final List<EventTable> tables;
    private final ChainSettings settings;
    private final LogRouter router;
    private final LogFilter tipFilter;
    private final WalkBack walkBack;
    /**
     * The child sets as of the stored tip {@link #childrenTip} under {@link #childrenEpoch}, kept between tip steps (the
     * tip phase adds the children its blocks create); null when they must be read again (after range or catch-up work,
     * which may add children below the tip, or a failed commit). A cache only: a miss reads them from the store.
     */
    private Children children;
    private Hash childrenTip;
    private long childrenEpoch = -1;

    TipPhase(ChainSource source, EventStore store, List<EventTable> tables, ChainSettings settings, LogRouter router,
            WalkBack walkBack) {
        this.source = source;
        this.store = store;
        this.tables = tables;
        this.settings = settings;
        this.router = router;
        this.tipFilter = LogRouter.union(tables);
        this.walkBack = walkBack;
    }

    /** Other work may have added children below the tip: the next batch reads them again. */
    void forgetChildren() {
        children = null;
    }

    /** One batch of up to {@code tipBatch} blocks above {@code tip}, a walk-back, or idle when there is nothing new. */
    Outcome follow(StoredHeader tip, Heads heads, long epoch) {
        if (heads.head() < tip.number()) {
            // A node below our tip is compared at its own head: same hash there means it lags.
            Optional<StoredHeader> stored = store.header(settings.chainId(), heads.head());
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
