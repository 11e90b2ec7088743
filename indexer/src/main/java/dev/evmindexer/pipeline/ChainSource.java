package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Header;
import dev.evmindexer.eth.Log;
import java.util.List;
import java.util.Optional;

/**
 * What the pipeline needs from a chain's nodes. Implementations check every answer before returning it
 * (ARCHITECTURE.md, invariant 6) and retry across endpoints; a method either returns checked data or throws
 * {@link SourceException}. Implementations are thread-safe: range fetchers call them concurrently.
 */
public interface ChainSource {

    /** The chain id every endpoint was checked against. */
    long chainId();

    /** The node's head and, where it has the tag, its finalized block. */
    Heads heads();

    /** The canonical header at {@code number} on one endpoint, or empty when that is above its head. */
    Optional<BlockHeader> header(long number);

    /**
     * Consecutive canonical headers from {@code from} up to at most {@code to}, linked by parent hash,
     * fetched from one endpoint. Shorter (possibly empty) when the endpoint's head is below {@code to}.
     */
    List<BlockHeader> headers(long from, long to);

    /**
     * The logs matching {@code filter} of exactly the block {@code block} names (queried by its hash). They are checked
     * against the bloom and, with receipts proofs, the receipts root of {@code block} where it is a node's
     * {@link BlockHeader} that has them; a {@link dev.evmindexer.eth.StoredHeader} has neither, so then against those
     * of the block as the endpoint gives it with the logs, by the same hash.
     *
     * @throws BlockGoneException when the endpoint no longer has that block (it was reorged away)
     */
    List<Log> blockLogs(Header block, LogFilter filter);

    /**
     * The logs matching {@code filter} in {@code [from, to]}, with the headers of every block that has a
     * matching log (for {@code block_time} and the block-hash check). Throws rather than answer for a
     * range above the endpoint's head.
     */
    RangeLogs rangeLogs(long from, long to, LogFilter filter);

    /**
     * The logs matching {@code filter} in {@code [from, to]} (clipped at the node's head) taken from each block's
     * receipts, proven against the block's receiptsRoot (ARCHITECTURE.md, invariant 9), and the blocks whose receipts
     * did not prove on any endpoint tried. Sources that cannot prove receipts throw {@link UnsupportedOperationException}.
     */
    default ProvenLogs provenLogs(long from, long to, LogFilter filter) {
        throw new UnsupportedOperationException("this chain source cannot prove receipts");
    }

    /**
     * What {@code needs} asks of the transactions and blocks of {@code logs} (in chain order, checked logs of canonical
     * blocks): one call per block holding a log for each kind of answer needed, queried by the block's hash. Every
     * log's transaction is in the answer, at the log's transaction index with the log's transaction hash, in the log's
     * block; an answer that lacks one or names another is a bad answer, asked elsewhere (never a NULL column), and so
     * is a block the endpoint does not have (a block reorged away meanwhile ends as a {@link SourceException}; the next
     * step's parent-hash check finds the reorg).
     */
    default TxData txData(List<Log> logs, TxData.Needs needs) {
        throw new UnsupportedOperationException("this chain source cannot fetch transaction fields");
    }

    /** The endpoints' names, for re-fetching from a chosen one (reconciliation). By default one, "source". */
    default List<String> endpoints() {
        return List.of("source");
    }

    /**
     * As {@link #rangeLogs}, asking the endpoint named {@code endpoint} first (another only when it fails), with the
     * names of the endpoints whose answers were kept, so a wrong answer can be blamed on its endpoint.
     */
    default AttributedLogs rangeLogsOn(String endpoint, long from, long to, LogFilter filter) {
        return new AttributedLogs(rangeLogs(from, to, filter), java.util.Set.of(endpoint));
    }

    /** Penalises {@code endpoint} for an answer found wrong after it was used (reconciliation). By default nothing. */
    default void blame(String endpoint, String why) {}

    /** Logs of a range and the endpoints that answered them. */
    record AttributedLogs(RangeLogs logs, java.util.Set<String> endpoints) {}

    /**
     * The first piece of {@code [from, to]}: the checked logs of {@code [from, end]} for some {@code end <= to} the
     * source chooses (one call's worth, sized by the volume of logs it expects), holding a reservation of
     * {@code budget} taken before the call and corrected to the answer's size, which the caller releases once the
     * piece is committed. By default the whole range in one piece.
     */
    default RangePiece rangePiece(long from, long to, LogFilter filter, MemoryBudget budget) throws InterruptedException {
        RangeLogs logs = rangeLogs(from, to, filter);
        MemoryBudget.Reservation held = budget.reserve(0);
        held.resize(MemoryBudget.bytesOf(logs.logs().size(), logs.logs().stream().mapToLong(l -> l.data().length).sum()));
        return new RangePiece(from, to, logs, held);
    }

    /**
     * The chain as one node sees it, for a walk-back: every header comes from the same endpoint, one whose head is
     * at or above {@code minHead} where there is one (ARCHITECTURE.md, invariant 3). By default this source itself, with
     * no second endpoint to confirm against.
     */
    default Canonical canonical(long minHead) {
        return new Canonical() {
            @Override
            public Optional<BlockHeader> header(long number) {
                return ChainSource.this.header(number);
            }

            @Override
            public boolean confirm(long number, Hash hash, IfNoneCanTell ifNoneCanTell) {
                return true;
            }
        };
    }

    /** One endpoint's canonical chain; see {@link #canonical(long)}. */
    interface Canonical {
        /** The canonical header at {@code number} on this view's endpoint, or empty above its head. */
        Optional<BlockHeader> header(long number);

        /**
         * Whether a second endpoint agrees that {@code hash} is the canonical block at {@code number}, asked before a
         * deep rollback, a halt, or storing the anchor. True when one agrees (with no other endpoint configured: when
         * this view's endpoint, asked again, answers the same); false when one disagrees (then nothing is done: the
         * caller waits and tries again). When no other endpoint can tell (all down, or below that block),
         * {@code ifNoneCanTell} decides.
         */
        boolean confirm(long number, Hash hash, IfNoneCanTell ifNoneCanTell);

        /** What {@link #confirm} answers when no other endpoint can tell. */
        enum IfNoneCanTell {
            /** False: a halt needs an endpoint that agrees, so the caller waits and tries again. */
            WAIT,
            /**
             * True (where other endpoints exist, only if this view's endpoint asked again answers the same): a rollback
             * or the anchor goes on, since waiting could let finality pass a reorg that is real.
             */
            GO_ON
        }
    }
}
