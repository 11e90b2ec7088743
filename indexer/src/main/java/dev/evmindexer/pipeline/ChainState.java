package dev.evmindexer.pipeline;

import java.util.Optional;

/** A chain's persisted state: finalized block {@code F} (-1: none yet), epoch, and why it is halted, if it is. */
public record ChainState(long chainId, long finalized, long epoch, Optional<String> haltedReason) {
    public boolean halted() {
        return haltedReason.isPresent();
    }
}
