package dev.evmindexer.devchain;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * The logs of one block in columns of flat arrays (no object per log): addresses (20 bytes each),
 * topics (32 bytes each, {@code topicStart[i]..topicStart[i+1]} for log {@code i}), data
 * ({@code dataStart[i]..dataStart[i+1]}), the transaction index of each log, and the hashes of the
 * block's transactions (32 bytes each, by transaction index). Immutable once built.
 */
final class LogTable implements BlockLogs {
    static final LogTable EMPTY = new Builder(0).build();

    private final int size;
    private final byte[] addresses;
    private final int[] topicStart;
    private final byte[] topics;
    private final int[] dataStart;
    private final byte[] data;
    private final int[] txIndex;
    private final int txCount;
    private final byte[] txHashes;

    private LogTable(Builder b) {
        this.size = b.size;
        this.addresses = Arrays.copyOf(b.addresses, b.size * 20);
        this.topicStart = Arrays.copyOf(b.topicStart, b.size + 1);
        this.topicStart[b.size] = b.topicCount;
        this.topics = Arrays.copyOf(b.topics, b.topicCount * 32);
        this.dataStart = Arrays.copyOf(b.dataStart, b.size + 1);
        this.dataStart[b.size] = b.dataLength;
        this.data = Arrays.copyOf(b.data, b.dataLength);
        this.txIndex = Arrays.copyOf(b.txIndex, b.size);
        this.txCount = b.txCount;
        this.txHashes = Arrays.copyOf(b.txHashes, b.txCount * 32);
    }

    @Override
    public LogTable table() {
        return this;
    }

    @Override
    public int size() {
        return size;
    }

    int txCount() {
        return txCount;
    }

    /** The raw column arrays with their offsets, for the JSON writer; callers must not modify them. */
    byte[] addressBytes() {
        return addresses;
    }

    byte[] topicBytes() {
        return topics;
    }

    byte[] dataBytes() {
        return data;
    }

    byte[] txHashBytes() {
        return txHashes;
    }

    int topicCount(int log) {
        return topicStart[log + 1] - topicStart[log];
    }

    /** Byte offset of topic {@code k} of log {@code log} in {@link #topicBytes()}. */
    int topicOffset(int log, int k) {
        return (topicStart[log] + k) * 32;
    }

    int dataOffset(int log) {
        return dataStart[log];
    }

    int dataLength(int log) {
        return dataStart[log + 1] - dataStart[log];
    }

    int txIndex(int log) {
        return txIndex[log];
    }

    /** The logs as {@code eth.Log} values, positioned in the given block. */
    List<Log> toLogs(long blockNumber, Hash blockHash) {
        List<Log> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            List<Hash> logTopics = new ArrayList<>(topicCount(i));
            for (int k = 0; k < topicCount(i); k++) {
                int off = topicOffset(i, k);
                logTopics.add(Hash.of(Arrays.copyOfRange(topics, off, off + 32)));
            }
            int tx = txIndex[i];
            out.add(new Log(
                    Address.of(Arrays.copyOfRange(addresses, i * 20, i * 20 + 20)),
                    logTopics,
                    Arrays.copyOfRange(data, dataStart[i], dataStart[i + 1]),
                    blockNumber,
                    blockHash,
                    Hash.of(Arrays.copyOfRange(txHashes, tx * 32, tx * 32 + 32)),
                    tx,
                    i));
        }
        return out;
    }

    /** The logs bloom of these logs: each address and each topic, computed with keccak. */
    byte[] bloom() {
        byte[] bloom = new byte[DevHashing.BLOOM_BYTES];
        for (int i = 0; i < size; i++) {
            DevHashing.addToBloom(bloom, addresses, i * 20, 20);
        }
        for (int t = 0; t < topics.length; t += 32) {
            DevHashing.addToBloom(bloom, topics, t, 32);
        }
        return bloom;
    }

    @Override
    public byte[] digest() {
        KeccakDigest d = new KeccakDigest(256);
        ByteBuffer ints = ByteBuffer.allocate(4 * (topicStart.length + dataStart.length + txIndex.length));
        ints.asIntBuffer().put(topicStart).put(dataStart).put(txIndex);
        for (byte[] column : new byte[][] {addresses, topics, data, txHashes, ints.array()}) {
            d.update(column, 0, column.length);
        }
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    /** Appends logs grouped in transactions: {@code transaction(hash)}, then that transaction's logs. */
    static final class Builder {
        private int size;
        private byte[] addresses;
        private int[] topicStart;
        private byte[] topics;
        private int topicCount;
        private int[] dataStart;
        private byte[] data;
        private int dataLength;
        private int[] txIndex;
        private int txCount;
        private byte[] txHashes;

        Builder(int expectedLogs) {
            int n = Math.max(expectedLogs, 1);
            addresses = new byte[n * 20];
            topicStart = new int[n + 1];
            topics = new byte[n * 3 * 32];
            dataStart = new int[n + 1];
            data = new byte[n * 32];
            txIndex = new int[n];
            txHashes = new byte[n * 32];
        }

        /** Starts a new transaction; the logs added next belong to it. */
        Builder transaction(byte[] hash, int offset) {
            txHashes = ensure(txHashes, (txCount + 1) * 32);
            System.arraycopy(hash, offset, txHashes, txCount * 32, 32);
            txCount++;
            return this;
        }

        /** Starts a new log of the current transaction, emitted by the 20-byte address at {@code offset}. */
        Builder log(byte[] address, int offset) {
            if (txCount == 0) throw new IllegalStateException("a log needs a transaction: call transaction() first");
            if (size + 1 >= topicStart.length) {
                int n = topicStart.length * 2;
                topicStart = Arrays.copyOf(topicStart, n);
                dataStart = Arrays.copyOf(dataStart, n);
                txIndex = Arrays.copyOf(txIndex, n);
            }
            addresses = ensure(addresses, (size + 1) * 20);
            System.arraycopy(address, offset, addresses, size * 20, 20);
            topicStart[size] = topicCount;
            dataStart[size] = dataLength;
            txIndex[size] = txCount - 1;
            size++;
            return this;
        }

        /** Adds a 32-byte topic to the current log. */
        Builder topic(byte[] topic, int offset) {
            if (size == 0) throw new IllegalStateException("a topic needs a log: call log() first");
            if (topicCount - topicStart[size - 1] == 4) throw new IllegalStateException("a log has at most 4 topics");
            topics = ensure(topics, (topicCount + 1) * 32);
            System.arraycopy(topic, offset, topics, topicCount * 32, 32);
            topicCount++;
            return this;
        }

        /** Appends bytes to the current log's data. */
        Builder data(byte[] bytes, int offset, int length) {
            if (size == 0) throw new IllegalStateException("data needs a log: call log() first");
            data = ensure(data, dataLength + length);
            System.arraycopy(bytes, offset, data, dataLength, length);
            dataLength += length;
            return this;
        }

        LogTable build() {
            return new LogTable(this);
        }

        private static byte[] ensure(byte[] array, int length) {
            return array.length >= length ? array : Arrays.copyOf(array, Math.max(length, array.length * 2));
        }
    }
}
