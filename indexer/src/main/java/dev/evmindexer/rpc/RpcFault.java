package dev.evmindexer.rpc;

/**
 * One endpoint failed a call: unreachable, timed out, an error answer, or an answer that failed a check.
 * The pool penalises that endpoint and retries elsewhere; this never leaves the package (the pool turns the
 * last one into a {@link dev.evmindexer.pipeline.SourceException}). Messages never hold the full URL.
 */
class RpcFault extends RuntimeException {
    RpcFault(String message) {
        super(message, null, false, false);
    }

    /**
     * The provider refused an {@code eth_getLogs} range as too large or as returning too many results. Not the
     * endpoint's fault: the caller shrinks the range and asks again, without penalty.
     */
    static final class RangeTooLarge extends RpcFault {
        private final long blocks;

        RangeTooLarge(String message, long blocks) {
            super(message);
            this.blocks = blocks;
        }

        /** How many blocks the refused range had. */
        long blocks() {
            return blocks;
        }
    }
}
