package dev.evmindexer.config;

/**
 * Where a chain's final blocks end. {@link Tag}: ask the node for its {@code finalized} block.
 * {@link Depth}: {@code head - blocks}; depth 0 trusts the head and disables reorg protection
 * (unsafe outside replays and tests).
 */
public sealed interface Finality {
    /** The node's {@code finalized} block tag. */
    record Tag() implements Finality {
        @Override
        public String toString() {
            return "finalized";
        }
    }

    /** A fixed depth below the head, {@code blocks >= 0}. */
    record Depth(int blocks) implements Finality {
        public Depth {
            if (blocks < 0) throw new IllegalArgumentException("finality depth must be >= 0, got " + blocks);
        }

        @Override
        public String toString() {
            return blocks == 0 ? "depth 0 (trusts the head: no reorg protection)" : "depth " + blocks;
        }
    }
}
