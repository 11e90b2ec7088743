package dev.evmindexer.eth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The value types of a block's header: {@link LogsBloom}, {@link BlockHeader} and {@link StoredHeader}. */
class HeaderTypesTest {

    @Test
    void aKnownBloomIsExactly256BytesCopiedAndComparedByContent() {
        assertThrows(IllegalArgumentException.class, () -> LogsBloom.of(new byte[0]), "an empty array is not a bloom");
        assertThrows(IllegalArgumentException.class, () -> LogsBloom.of(new byte[255]));
        assertThrows(IllegalArgumentException.class, () -> LogsBloom.of(null));
        byte[] bytes = new byte[LogsBloom.SIZE];
        bytes[7] = 1;
        LogsBloom.Known bloom = LogsBloom.of(bytes);
        bytes[7] = 2;
        assertEquals(1, bloom.unsafeBytes()[7], "the bloom holds a copy of what it was given");
        bloom.toArray()[7] = 3;
        assertEquals(1, bloom.unsafeBytes()[7], "toArray gives a copy");
        byte[] same = new byte[LogsBloom.SIZE];
        same[7] = 1;
        assertEquals(LogsBloom.of(same), bloom);
        assertEquals(LogsBloom.of(same).hashCode(), bloom.hashCode());
        assertNotEquals(LogsBloom.of(new byte[LogsBloom.SIZE]), bloom);
        assertFalse(bloom.isZero());
        assertTrue(LogsBloom.of(new byte[LogsBloom.SIZE]).isZero());
    }

    @Test
    void anUnknownBloomIsItsOwnStateNotAnEmptyOrZeroBloom() {
        assertEquals(LogsBloom.UNKNOWN, new LogsBloom.Unknown());
        assertNotEquals(LogsBloom.of(new byte[LogsBloom.SIZE]), LogsBloom.UNKNOWN);
        BlockHeader h = new BlockHeader(5, Hash.ZERO, Hash.ZERO, 10, LogsBloom.UNKNOWN);
        assertEquals(Optional.empty(), h.receiptsRoot());
        assertThrows(NullPointerException.class, () -> new BlockHeader(5, Hash.ZERO, Hash.ZERO, 10, null));
    }

    @Test
    void aStoredHeaderIsTheNumberHashesAndTimeOfTheNodesHeader() {
        Hash hash = Hash.fromHex("0x" + "ab".repeat(32));
        Hash parent = Hash.fromHex("0x" + "cd".repeat(32));
        byte[] bits = new byte[LogsBloom.SIZE];
        bits[0] = 1;
        BlockHeader node = new BlockHeader(9, hash, parent, 1_700_000_000L, LogsBloom.of(bits), Optional.of(parent));
        StoredHeader stored = node.stored();
        assertEquals(new StoredHeader(9, hash, parent, 1_700_000_000L), stored);
        assertEquals(node.ref(), stored.ref());
        assertEquals(node.toString(), stored.toString(), "log lines name both alike");
        assertNotEquals(new BlockHeader(9, hash, parent, 1_700_000_000L, LogsBloom.UNKNOWN, Optional.of(parent)), node,
                "a node's header is compared with its bloom");
    }
}
