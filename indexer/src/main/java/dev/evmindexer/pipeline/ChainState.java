package dev.evmindexer.pipeline;

import java.util.Optional;

/**
 * A chain's persisted state: finalized block {@code F} (-1: none yet), epoch, why it is halted (if it is), and the
 * finality rule {@code F} is advanced by as last recorded (empty: none yet; see {@link EventStore#finalityRule}).
 */
public record ChainState(long chainId, long finalized, long epoch, Optional<String> haltedReason,
        Optional<String> finalityRule) {
    public boolean halted() {
        return haltedReason.isPresent();
    }
}
