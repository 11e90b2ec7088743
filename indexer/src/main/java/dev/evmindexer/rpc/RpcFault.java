package dev.evmindexer.rpc;

/**
 * One endpoint failed a call: unreachable, timed out, throttled, an error answer, or an answer that failed a
 * check. The pool penalises that endpoint and retries elsewhere; this never leaves the package (the pool turns the
 * last one into a {@link dev.evmindexer.pipeline.SourceException}). Messages never hold the full URL.
 */
class RpcFault extends RuntimeException {
    /** What went wrong, for the per-endpoint error counters. */
    enum Kind {
        /** Connection refused or reset, a body cut off mid-way, an HTTP error status. */
        TRANSPORT,
        /** The call took longer than the endpoint's timeout. */
        TIMEOUT,
        /** HTTP 429 or a "rate limit" error: the endpoint's request rate is cut. */
        RATE_LIMITED,
        /** A JSON-RPC error answer, or a body that is not JSON-RPC. */
        ERROR_ANSWER,
        /** An answer that failed a check (ARCHITECTURE.md, invariant 6): wrong block, hash, bloom, order ... */
        BAD_ANSWER,
        /** The endpoint's head is below what was asked for. */
        LAGGING,
        /** The provider refused an {@code eth_getLogs} range as too large (not counted against its health). */
        RANGE_TOO_LARGE,
        /** The endpoint refused a JSON-RPC batch (its batch size is cut, down to single calls). */
        BATCH_REJECTED,
        /** An answer that stopped mid-way (connection closed or reset after it began): often a sign it was too big. */
        CUT_OFF,
        /** An answer abandoned while it streamed in because it held more logs or bytes than the call allowed. */
        OVERSIZED
    }

    private final Kind kind;

    RpcFault(String message) {
        this(Kind.BAD_ANSWER, message);
    }

    RpcFault(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }

    /**
     * The provider refused an {@code eth_getLogs} range as too large or as returning too many results. Not the
     * endpoint's fault: the caller shrinks the range and asks again, without penalty.
     */
    static final class RangeTooLarge extends RpcFault {
        private final long blocks;
        private final long suggested;
        private final Kind cause;

        /**
         * @param blocks    how many blocks the refused range had
         * @param suggested the block count the provider's message suggests, or 0 when it suggests none
         */
        RangeTooLarge(String message, long blocks, long suggested) {
            this(message, blocks, suggested, Kind.RANGE_TOO_LARGE);
        }

        /** A multi-block call that failed for its size ({@code cause}: a timeout, a cut-off or oversized answer). */
        RangeTooLarge(String message, long blocks, long suggested, Kind cause) {
            super(Kind.RANGE_TOO_LARGE, message);
            this.blocks = blocks;
            this.suggested = suggested;
            this.cause = cause;
        }

        /** What happened, for the endpoint's error counters: a refusal, or the size fault that shrank the range. */
        Kind cause() {
            return cause;
        }

        long blocks() {
            return blocks;
        }

        long suggested() {
            return suggested;
        }
    }

    /**
     * An answer held more logs or bytes than the call allowed and was abandoned while it streamed in.
     * {@link #lastBlock} is the block of the last log read before the limit (-1 when unknown): the blocks before it
     * would have fit.
     */
    static final class Oversized extends RpcFault {
        private final long lastBlock;

        Oversized(String message, long lastBlock) {
            super(Kind.OVERSIZED, message);
            this.lastBlock = lastBlock;
        }

        long lastBlock() {
            return lastBlock;
        }
    }
}
