package dev.evmindexer.pipeline;

import java.util.OptionalLong;

/** A node's head block number and its {@code finalized} tag, when the node has one. */
public record Heads(long head, OptionalLong finalized) {
    public Heads {
        if (head < 0) throw new IllegalArgumentException("negative head " + head);
    }
}
