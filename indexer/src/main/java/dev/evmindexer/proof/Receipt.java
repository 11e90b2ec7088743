package dev.evmindexer.proof;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The consensus fields of one transaction receipt: what its entry in the receipts trie is made of. The logs keep
 * the positions the node gave them; only their address, topics and data are encoded.
 *
 * @param type              the EIP-2718 transaction type: 0 (legacy), 1 (EIP-2930), 2 (EIP-1559), 3 (EIP-4844 blob)
 *                          or 4 (EIP-7702); see {@link #SUPPORTED_TYPES}
 * @param outcome           the status (empty for failure, {@code {1}} for success, EIP-658) or, before Byzantium, the
 *                          32-byte post-transaction state root
 * @param cumulativeGasUsed gas used in the block up to and including this transaction
 * @param logsBloom         the 256-byte bloom of this receipt's logs
 * @param logs              the logs, in order
 */
public record Receipt(int type, byte[] outcome, long cumulativeGasUsed, byte[] logsBloom, List<Log> logs) {
    /** Transaction types whose receipts are the plain four-field list (other chains add types with more fields). */
    public static final List<Integer> SUPPORTED_TYPES = List.of(0, 1, 2, 3, 4);

    public Receipt {
        if (!SUPPORTED_TYPES.contains(type)) {
            throw new IllegalArgumentException("receipt of transaction type " + type + ", which is not one of "
                    + SUPPORTED_TYPES);
        }
        Objects.requireNonNull(outcome, "outcome");
        if (outcome.length != 0 && outcome.length != 1 && outcome.length != Hash.SIZE) {
            throw new IllegalArgumentException("a receipt outcome is a status or a 32-byte state root, got "
                    + outcome.length + " bytes");
        }
        if (outcome.length == 1 && outcome[0] != 1) throw new IllegalArgumentException("a status is 0 or 1");
        if (cumulativeGasUsed < 0) throw new IllegalArgumentException("negative cumulativeGasUsed");
        if (logsBloom == null || logsBloom.length != 256) throw new IllegalArgumentException("logsBloom must be 256 bytes");
        logs = List.copyOf(logs);
    }

    /** A receipt with an EIP-658 status: true for success. */
    public static Receipt withStatus(int type, boolean success, long cumulativeGasUsed, byte[] logsBloom, List<Log> logs) {
        return new Receipt(type, success ? new byte[] {1} : new byte[0], cumulativeGasUsed, logsBloom, logs);
    }

    /**
     * The receipt's value in the trie: {@code RLP([outcome, cumulativeGasUsed, logsBloom, [[address, [topics], data],
     * ...]])}, preceded by the type byte for a typed transaction (EIP-2718).
     */
    public byte[] encode() {
        List<byte[]> encodedLogs = new ArrayList<>(logs.size());
        for (Log l : logs) {
            List<byte[]> topics = new ArrayList<>(l.topics().size());
            for (Hash t : l.topics()) topics.add(Rlp.string(t.unsafeBytes()));
            encodedLogs.add(Rlp.list(Rlp.string(l.address().unsafeBytes()), Rlp.list(topics), Rlp.string(l.data())));
        }
        byte[] body = Rlp.list(Rlp.string(outcome), Rlp.uint(cumulativeGasUsed), Rlp.string(logsBloom),
                Rlp.list(encodedLogs));
        if (type == 0) return body;
        byte[] typed = new byte[body.length + 1];
        typed[0] = (byte) type;
        System.arraycopy(body, 0, typed, 1, body.length);
        return typed;
    }

    /** The receipts root of a block with these receipts, in transaction order. */
    public static Hash root(List<Receipt> receipts) {
        List<byte[]> values = new ArrayList<>(receipts.size());
        for (Receipt r : receipts) values.add(r.encode());
        return OrderedTrie.root(values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Receipt r && r.type == type && java.util.Arrays.equals(r.outcome, outcome)
                && r.cumulativeGasUsed == cumulativeGasUsed && java.util.Arrays.equals(r.logsBloom, logsBloom)
                && r.logs.equals(logs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, cumulativeGasUsed, logs.size());
    }

    @Override
    public String toString() {
        return "receipt(type " + type + ", " + logs.size() + " logs, cumulative gas " + cumulativeGasUsed + ")";
    }
}
