package dev.evmindexer.eth;

import java.util.List;
import java.util.Objects;

/** One event log as returned by a node, with its position in the chain. */
public record Log(
        Address address,
        List<Hash> topics,
        byte[] data,
        long blockNumber,
        Hash blockHash,
        Hash txHash,
        int txIndex,
        int logIndex) {

    public Log {
        Objects.requireNonNull(address, "address");
        topics = List.copyOf(topics);
        if (topics.size() > 4) throw new IllegalArgumentException("a log has at most 4 topics, got " + topics.size());
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(blockHash, "blockHash");
        Objects.requireNonNull(txHash, "txHash");
        if (blockNumber < 0 || txIndex < 0 || logIndex < 0) {
            throw new IllegalArgumentException("negative position in log: block " + blockNumber
                    + " tx " + txIndex + " log " + logIndex);
        }
    }

    /** topic0, or null for an anonymous event without topics. */
    public Hash topic0() {
        return topics.isEmpty() ? null : topics.get(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Log l && l.blockNumber == blockNumber && l.logIndex == logIndex
                && l.txIndex == txIndex && l.address.equals(address) && l.topics.equals(topics)
                && java.util.Arrays.equals(l.data, data) && l.blockHash.equals(blockHash) && l.txHash.equals(txHash);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(blockNumber) * 31 + logIndex;
    }

    @Override
    public String toString() {
        return "log#" + blockNumber + "/" + logIndex + "@" + address.shortHex();
    }
}
