package dev.evmindexer.devchain;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.LogsBloom;
import java.nio.ByteBuffer;

/**
 * One immutable devchain block. {@code salt} is unique per block ever created, so a block re-mined at
 * the same height (a fork) always gets a different hash. {@code bloom} must not be modified.
 */
record DevBlock(long number, Hash hash, Hash parentHash, long timestamp, long salt, byte[] bloom, BlockLogs logs) {

    /** Builds the block, deriving its hash from parent, number, timestamp, salt and the logs' digest. */
    static DevBlock create(long number, Hash parentHash, long timestamp, long salt, BlockLogs logs) {
        byte[] fields = ByteBuffer.allocate(24).putLong(number).putLong(timestamp).putLong(salt).array();
        Hash hash = Hash.of(DevHashing.keccak256(parentHash.unsafeBytes(), fields, logs.digest()));
        byte[] bloom = switch (logs) {
            case LogTable t -> t.bloom();
            case GeneratedLogs g -> g.bloom();
        };
        return new DevBlock(number, hash, parentHash, timestamp, salt, bloom, logs);
    }

    BlockHeader header() {
        return new BlockHeader(number, hash, parentHash, timestamp, LogsBloom.of(bloom));
    }
}
