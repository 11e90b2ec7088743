package dev.evmindexer.proof;

import dev.evmindexer.abi.Keccak;
import dev.evmindexer.eth.Hash;
import java.util.ArrayList;
import java.util.List;

/**
 * The root of the Merkle-Patricia trie Ethereum builds over a block's receipts (and transactions): key {@code i} is
 * {@code RLP(i)}, value {@code i} the i-th encoded item (Yellow Paper, appendix D). Built in one pass over the keys
 * in nibble order: a leaf holds the rest of one key (hex-prefix encoded) and its value, an extension a run of
 * nibbles all keys below it share, a branch sixteen children (and a value for a key ending there). A child whose
 * encoding is shorter than 32 bytes is inlined in its parent, a longer one is referenced by its Keccak-256 hash;
 * the root is always hashed.
 */
public final class OrderedTrie {
    /** keccak256(RLP("")): the root of a trie without keys (a block without transactions). */
    public static final Hash EMPTY_ROOT = Hash.of(Keccak.keccak256(Rlp.EMPTY_STRING));

    private OrderedTrie() {}

    /** The root of the trie mapping {@code RLP(i)} to {@code values.get(i)}. */
    public static Hash root(List<byte[]> values) {
        List<byte[]> keys = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) keys.add(Rlp.uint(i));
        return root(keys, values);
    }

    /** The root of the trie mapping {@code keys.get(i)} to {@code values.get(i)} (distinct keys, non-empty values). */
    static Hash root(List<byte[]> keys, List<byte[]> values) {
        if (keys.size() != values.size()) throw new IllegalArgumentException("as many keys as values needed");
        if (values.isEmpty()) return EMPTY_ROOT;
        List<Entry> entries = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) entries.add(new Entry(nibbles(keys.get(i)), values.get(i)));
        entries.sort((a, b) -> compare(a.key, b.key));
        return Hash.of(Keccak.keccak256(node(entries, 0, entries.size(), 0)));
    }

    private record Entry(byte[] key, byte[] value) {}

    /** The encoded node over {@code entries[from, to)}, whose keys agree on their first {@code depth} nibbles. */
    private static byte[] node(List<Entry> entries, int from, int to, int depth) {
        Entry first = entries.get(from);
        if (to - from == 1) {
            return Rlp.list(Rlp.string(hexPrefix(first.key, depth, first.key.length, true)), Rlp.string(first.value));
        }
        int shared = sharedLength(entries, from, to, depth);
        if (shared > 0) {
            byte[] path = hexPrefix(first.key, depth, depth + shared, false);
            return Rlp.list(Rlp.string(path), reference(node(entries, from, to, depth + shared)));
        }
        List<byte[]> slots = new ArrayList<>(17);
        byte[] value = null;
        int i = from;
        if (first.key.length == depth) { // a key ending at this branch (sorted first): its value sits in slot 16
            value = first.value;
            i++;
        }
        for (int nibble = 0; nibble < 16; nibble++) {
            int end = i;
            while (end < to && entries.get(end).key[depth] == nibble) end++;
            slots.add(end == i ? Rlp.EMPTY_STRING : reference(node(entries, i, end, depth + 1)));
            i = end;
        }
        slots.add(value == null ? Rlp.EMPTY_STRING : Rlp.string(value));
        return Rlp.list(slots);
    }

    /** How a parent holds a child: its encoding inlined when under 32 bytes, else the string of its hash. */
    private static byte[] reference(byte[] encoded) {
        return encoded.length < 32 ? encoded : Rlp.string(Keccak.keccak256(encoded));
    }

    /** How many nibbles from {@code depth} on all keys of {@code [from, to)} share (no key ends within them). */
    private static int sharedLength(List<Entry> entries, int from, int to, int depth) {
        byte[] a = entries.get(from).key;
        byte[] b = entries.get(to - 1).key; // sorted: the first and last keys bound what all share
        int n = 0;
        while (depth + n < a.length && depth + n < b.length && a[depth + n] == b[depth + n]) n++;
        return n;
    }

    /**
     * Hex-prefix encoding of {@code nibbles[from, to)}: a first nibble of flags (2 for a leaf, +1 for an odd count),
     * then, for an even count, a zero nibble, then the nibbles packed two to a byte.
     */
    static byte[] hexPrefix(byte[] nibbles, int from, int to, boolean leaf) {
        int count = to - from;
        boolean odd = (count & 1) == 1;
        byte[] out = new byte[count / 2 + 1];
        int flags = (leaf ? 2 : 0) + (odd ? 1 : 0);
        int i = from;
        if (odd) {
            out[0] = (byte) ((flags << 4) | nibbles[i++]);
        } else {
            out[0] = (byte) (flags << 4);
        }
        for (int k = 1; k < out.length; k++, i += 2) out[k] = (byte) ((nibbles[i] << 4) | nibbles[i + 1]);
        return out;
    }

    private static byte[] nibbles(byte[] bytes) {
        byte[] out = new byte[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = (byte) ((bytes[i] >> 4) & 0xf);
            out[2 * i + 1] = (byte) (bytes[i] & 0xf);
        }
        return out;
    }

    private static int compare(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) return Integer.compare(a[i], b[i]);
        }
        return Integer.compare(a.length, b.length);
    }
}
