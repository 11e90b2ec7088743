package dev.evmindexer.pipeline;

/** The chain is halted (a reorg past finality): nothing is written to it until a manual {@code rollback}. */
public final class ChainHaltedException extends RuntimeException {
    public ChainHaltedException(String chainName, String reason) {
        super("chain " + chainName + " is halted (" + reason + "): clear it with `rollback --to N` first");
    }
}
