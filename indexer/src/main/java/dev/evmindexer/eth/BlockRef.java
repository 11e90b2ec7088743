package dev.evmindexer.eth;

import java.util.Objects;

/** A block's place in a chain: its number, its hash and its parent's hash. */
public record BlockRef(long number, Hash hash, Hash parent) {
    public BlockRef {
        if (number < 0) throw new IllegalArgumentException("negative block number " + number);
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(parent, "parent");
    }

    /** True when {@code child} claims this block as its parent at the next height. */
    public boolean isParentOf(BlockRef child) {
        return child.number == number + 1 && child.parent.equals(hash);
    }

    @Override
    public String toString() {
        return "#" + number + "(" + hash.shortHex() + ")";
    }
}
