package dev.evmindexer.rpc;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.LogFilter;

/**
 * Ethereum's 2048-bit logs bloom (yellow paper, section 4.3.1): each log sets three bits for its address
 * and three for each topic. Only positive answers can be wrong ("may contain"); a clear bit is proof of
 * absence, provided the chain publishes correct blooms (hence bloom checks are a per-chain setting).
 *
 * <p>An empty bloom array means "the source gave none": nothing can be concluded from it.
 */
final class LogsBloom {
    private LogsBloom() {}

    /** True when {@code bloom} has all three bits of {@code value}; true for an empty (unknown) bloom. */
    static boolean mayContain(byte[] bloom, byte[] value) {
        if (bloom.length == 0) return true;
        byte[] h = org.web3j.crypto.Hash.sha3(value);
        for (int i = 0; i < 6; i += 2) {
            int bit = (((h[i] & 0xff) << 8) | (h[i + 1] & 0xff)) & 2047;
            if ((bloom[BlockHeader.BLOOM_SIZE - 1 - bit / 8] & (1 << (bit % 8))) == 0) return false;
        }
        return true;
    }

    /** Sets the three bits of {@code value} in {@code bloom} (256 bytes); used to build test chains. */
    static void add(byte[] bloom, byte[] value) {
        byte[] h = org.web3j.crypto.Hash.sha3(value);
        for (int i = 0; i < 6; i += 2) {
            int bit = (((h[i] & 0xff) << 8) | (h[i + 1] & 0xff)) & 2047;
            bloom[BlockHeader.BLOOM_SIZE - 1 - bit / 8] |= (byte) (1 << (bit % 8));
        }
    }

    /** True when the log's address and every one of its topics may be in {@code bloom}. */
    static boolean mayContain(byte[] bloom, Log log) {
        if (!mayContain(bloom, log.address().unsafeBytes())) return false;
        for (Hash topic : log.topics()) {
            if (!mayContain(bloom, topic.unsafeBytes())) return false;
        }
        return true;
    }

    /**
     * True when a block with this (known, non-empty) bloom may hold a log matching {@code filter}: one of
     * its addresses and one of its topic0s may both be present. False for an unknown (empty) bloom,
     * since then nothing says the block should have had a log.
     */
    static boolean mayMatch(byte[] bloom, LogFilter filter) {
        if (bloom.length == 0) return false;
        boolean anyBit = false;
        for (byte b : bloom) {
            if (b != 0) {
                anyBit = true;
                break;
            }
        }
        if (!anyBit) return false;
        boolean address = filter.addresses().isEmpty()
                || filter.addresses().stream().anyMatch(a -> mayContain(bloom, a.unsafeBytes()));
        boolean topic = filter.topic0s().isEmpty()
                || filter.topic0s().stream().anyMatch(t -> mayContain(bloom, t.unsafeBytes()));
        return address && topic;
    }
}
