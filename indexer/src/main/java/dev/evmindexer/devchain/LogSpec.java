package dev.evmindexer.devchain;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One log to put in a block mined with {@link DevChain#mine(List)}: what the emitting contract wrote.
 * The chain adds the position (block, transaction, log index) when it mines it.
 */
public record LogSpec(Address address, List<Hash> topics, byte[] data) {

    public LogSpec {
        Objects.requireNonNull(address, "address");
        topics = List.copyOf(topics);
        if (topics.size() > 4) throw new IllegalArgumentException("a log has at most 4 topics, got " + topics.size());
        data = Objects.requireNonNull(data, "data").clone();
    }

    /** An ERC-20 {@code Transfer(address indexed from, address indexed to, uint256 value)} log. */
    public static LogSpec transfer(Address token, Address from, Address to, BigInteger value) {
        return new LogSpec(token, List.of(DevChain.TRANSFER_TOPIC, pad(from), pad(to)), uint256(value));
    }

    /** An ERC-20 {@code Approval(address indexed owner, address indexed spender, uint256 value)} log. */
    public static LogSpec approval(Address token, Address owner, Address spender, BigInteger value) {
        return new LogSpec(token, List.of(DevChain.APPROVAL_TOPIC, pad(owner), pad(spender)), uint256(value));
    }

    /** An address as a topic: left-padded with 12 zero bytes. */
    public static Hash pad(Address address) {
        byte[] out = new byte[32];
        System.arraycopy(address.unsafeBytes(), 0, out, 12, 20);
        return Hash.of(out);
    }

    /** A {@code uint256} ABI word, big-endian. */
    public static byte[] uint256(BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > 256) {
            throw new IllegalArgumentException("not a uint256: " + value);
        }
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogSpec s && s.address.equals(address) && s.topics.equals(topics)
                && Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return address.hashCode() * 31 + topics.hashCode();
    }
}
