package dev.evmindexer.pipeline;

import java.util.OptionalLong;

/** A node's head block number and its {@code finalized} and {@code safe} tags, where the node has them. */
public record Heads(long head, OptionalLong finalized, OptionalLong safe) {
    public Heads {
        if (head < 0) throw new IllegalArgumentException("negative head " + head);
    }

    /** A node without a {@code safe} tag. */
    public Heads(long head, OptionalLong finalized) {
        this(head, finalized, OptionalLong.empty());
    }
}
