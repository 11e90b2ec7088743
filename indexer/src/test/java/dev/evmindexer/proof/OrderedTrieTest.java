package dev.evmindexer.proof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RLP and the trie against published vectors: the RLP examples of the Ethereum wiki and Yellow Paper, and the roots of
 * ethereum/tests {@code TrieTests/trieanyorder.json} (the same vectors other trie implementations test against).
 */
class OrderedTrieTest {

    @Test
    void rlpOfStringsIntegersAndLists() {
        assertEquals("0x83646f67", Hex.encode(Rlp.string(ascii("dog"))));
        assertEquals("0xc88363617483646f67", Hex.encode(Rlp.list(Rlp.string(ascii("cat")), Rlp.string(ascii("dog")))));
        assertEquals("0x80", Hex.encode(Rlp.string(new byte[0])));
        assertEquals("0xc0", Hex.encode(Rlp.list()));
        assertEquals("0x80", Hex.encode(Rlp.uint(0)));
        assertEquals("0x0f", Hex.encode(Rlp.uint(15)));
        assertEquals("0x820400", Hex.encode(Rlp.uint(1024)));
        assertEquals("0x8180", Hex.encode(Rlp.uint(128)));
        assertEquals("0x00", Hex.encode(Rlp.string(new byte[] {0})));
        // the set-theoretical representation of three: [ [], [[]], [ [], [[]] ] ]
        byte[] empty = Rlp.list();
        byte[] one = Rlp.list(empty);
        assertEquals("0xc7c0c1c0c3c0c1c0", Hex.encode(Rlp.list(empty, one, Rlp.list(empty, one))));
        String lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
        assertEquals("0xb838" + Hex.encode(ascii(lorem)).substring(2), Hex.encode(Rlp.string(ascii(lorem))));
        byte[] longList = Rlp.list(Rlp.string(ascii(lorem)));
        assertEquals("0xf83ab838", Hex.encode(longList).substring(0, 10));
    }

    @Test
    void emptyTrieRoot() {
        assertEquals("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
                OrderedTrie.root(List.of()).hex());
        assertEquals(OrderedTrie.EMPTY_ROOT, Receipt.root(List.of()));
    }

    @Test
    void rootsOfTheTrieAnyOrderVectors() {
        assertEquals("0xd23786fb4a010da3ce639d66d5e904a11dbc02746d1ce25029e53290cabf28ab",
                root(Map.of("A", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")));
        assertEquals("0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3",
                root(Map.of("doe", "reindeer", "dog", "puppy", "dogglesworth", "cat")));
        assertEquals("0x5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84",
                root(Map.of("do", "verb", "horse", "stallion", "doge", "coin", "dog", "puppy")));
        assertEquals("0x17beaa1648bafa633cda809c90c04af50fc8aed3cb40d16efbddee6fdf63c4c3",
                root(Map.of("foo", "bar", "food", "bass")));
        Hash hex = OrderedTrie.root(List.of(Hex.decode("0x0045"), Hex.decode("0x4500")),
                List.of(Hex.decode("0x0123456789"), Hex.decode("0x9876543210")));
        assertEquals("0x285505fcabe84badc8aa310e2aae17eddc7d120aabec8a476902c8184b3a3503", hex.hex());
    }

    @Test
    void hexPrefixFlagsLeavesAndOddLengths() {
        byte[] nibbles = {1, 2, 3, 4, 5};
        assertArrayEquals(Hex.decode("0x112345"), OrderedTrie.hexPrefix(nibbles, 0, 5, false));
        assertArrayEquals(Hex.decode("0x00012345"), OrderedTrie.hexPrefix(new byte[] {0, 1, 2, 3, 4, 5}, 0, 6, false));
        assertArrayEquals(Hex.decode("0x200f1cb8"), OrderedTrie.hexPrefix(new byte[] {0, 0xf, 1, 0xc, 0xb, 8}, 0, 6, true));
        assertArrayEquals(Hex.decode("0x3f1cb8"), OrderedTrie.hexPrefix(new byte[] {0xf, 1, 0xc, 0xb, 8}, 0, 5, true));
    }

    @Test
    void orderedRootDependsOnEveryValueAndItsPosition() {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 300; i++) values.add(ascii("value number " + i)); // keys 0x80, 0x01..0x7f, 0x8180..
        Hash root = OrderedTrie.root(values);
        List<byte[]> swapped = new ArrayList<>(values);
        swapped.set(5, values.get(6));
        swapped.set(6, values.get(5));
        assertNotEquals(root, OrderedTrie.root(swapped));
        List<byte[]> changed = new ArrayList<>(values);
        changed.set(200, ascii("value number 2OO"));
        assertNotEquals(root, OrderedTrie.root(changed));
        assertNotEquals(root, OrderedTrie.root(values.subList(0, 299)));
        // the ordered root is the general trie over RLP(i) keys
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) keys.add(Rlp.uint(i));
        assertEquals(root, OrderedTrie.root(keys, values));
    }

    @Test
    void typedReceiptsAreTheTypeBytePrecedingTheSameList() {
        byte[] bloom = new byte[256];
        bloom[7] = 1;
        dev.evmindexer.eth.Log log = new dev.evmindexer.eth.Log(dev.evmindexer.eth.Address.fromHex("0x" + "ab".repeat(20)),
                List.of(Hash.of(new byte[32])), new byte[] {1, 2, 3}, 9, Hash.of(new byte[32]), Hash.of(new byte[32]), 0, 0);
        byte[] legacy = Receipt.withStatus(0, true, 21_000, bloom, List.of(log)).encode();
        // RLP([0x01, 21000, bloom, [[address, [topic], 0x010203]]])
        String body = Hex.encode(Rlp.list(Rlp.uint(1), Rlp.uint(21_000), Rlp.string(bloom), Rlp.list(Rlp.list(
                Rlp.string(log.address().toArray()), Rlp.list(Rlp.string(new byte[32])), Rlp.string(new byte[] {1, 2, 3})))));
        assertEquals(body, Hex.encode(legacy));
        for (int type = 1; type <= 4; type++) {
            byte[] typed = Receipt.withStatus(type, true, 21_000, bloom, List.of(log)).encode();
            assertEquals("0x0" + type + body.substring(2), Hex.encode(typed), "type " + type);
        }
        // a failed transaction's status is the empty string, a pre-Byzantium receipt holds the 32-byte state root
        assertEquals("0x80", Hex.encode(java.util.Arrays.copyOfRange(
                Receipt.withStatus(0, false, 21_000, bloom, List.of()).encode(), 3, 4)));
        byte[] root = new byte[32];
        root[0] = 0x55;
        byte[] preByzantium = new Receipt(0, root, 21_000, bloom, List.of()).encode();
        assertEquals("0xa055", Hex.encode(java.util.Arrays.copyOfRange(preByzantium, 3, 5)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Receipt.withStatus(0x7e, true, 0, bloom, List.of()));
    }

    private static String root(Map<String, String> entries) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        entries.forEach((k, v) -> {
            keys.add(ascii(k));
            values.add(ascii(v));
        });
        return OrderedTrie.root(keys, values).hex();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
