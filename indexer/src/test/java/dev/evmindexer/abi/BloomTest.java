package dev.evmindexer.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BloomTest {

    @Test
    void keccakKnownVectors() {
        assertArrayEquals(Hex.decode("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"), Keccak.keccak256(new byte[0]));
        assertArrayEquals(Hex.decode("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"),
                Keccak.keccak256("Transfer(address,address,uint256)".getBytes(StandardCharsets.US_ASCII)));
        byte[] random = new byte[1000];
        new Random(1).nextBytes(random);
        assertArrayEquals(org.web3j.crypto.Hash.sha3(random), Keccak.keccak256(random));
        assertArrayEquals(org.web3j.crypto.Hash.sha3(java.util.Arrays.copyOfRange(random, 10, 110)), Keccak.keccak256(random, 10, 100));
    }

    /** The bit positions geth computes: byte 255 - (idx / 8), bit idx % 8, idx from each of the first three byte pairs. */
    @Test
    void setsTheThreeBitsGethSets() {
        byte[] value = Hex.decode("0x00000000000000000000000000000000000000aa");
        byte[] bloom = new byte[Bloom.SIZE];
        Bloom.add(bloom, value);
        byte[] h = org.web3j.crypto.Hash.sha3(value);
        byte[] expected = new byte[Bloom.SIZE];
        for (int i = 0; i < 6; i += 2) {
            int idx = ((h[i] & 0xFF) << 8 | (h[i + 1] & 0xFF)) & 0x7FF;
            expected[255 - idx / 8] |= (byte) (1 << (idx % 8));
        }
        assertArrayEquals(expected, bloom);
        int bits = 0;
        for (byte b : bloom) bits += Integer.bitCount(b & 0xFF);
        assertTrue(bits >= 1 && bits <= 3);
    }

    /**
     * A receipt's logsBloom from anvil 1.7.1 for a contract at 0x5fbd...0aa3 emitting one log with
     * the ERC-20 Transfer topics below: building it with {@link Bloom#add} must give the same bytes.
     */
    static final String ANVIL_BLOOM = "0x"
            + "00000400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000104000000000000000000000000000"
            + "00000000000000000000000800000000000000000000000000000000008000000000004000000000000000000000000000000000000000000000001000000000"
            + "00000000000000000000000000000000000000000000000000000002000000000000000008000000000000000000000000000000000000000000000000000000"
            + "00800042000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";

    @Test
    void bloomOfALogContainsItsAddressAndTopicsAndNotOthers() {
        byte[] address = Hex.decode("0x5fbdb2315678afecb367f032d93f642f64180aa3");
        Hash[] topics = {
                Hash.fromHex("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"),
                Hash.fromHex("0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
                Hash.fromHex("0x000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d359")};
        byte[] bloom = new byte[Bloom.SIZE];
        Bloom.add(bloom, address);
        for (Hash t : topics) Bloom.add(bloom, t.unsafeBytes());
        assertArrayEquals(Hex.decode(ANVIL_BLOOM), bloom);
        assertTrue(Bloom.mightContain(bloom, address));
        for (Hash t : topics) assertTrue(Bloom.mightContain(bloom, t.unsafeBytes()));
        Random rnd = new Random(7);
        int falsePositives = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] other = new byte[32];
            rnd.nextBytes(other);
            if (Bloom.mightContain(bloom, other)) falsePositives++;
        }
        // 12 bits of 2048 set: a random value matches with probability about (12/2048)^3
        assertEquals(0, falsePositives);
        assertFalse(Bloom.mightContain(new byte[Bloom.SIZE], address));
    }

    @Test
    void refusesBloomsOfTheWrongSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bloom.mightContain(new byte[255], new byte[1]));
        assertTrue(e.getMessage().contains("256 bytes, got 255"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Bloom.add(new byte[0], new byte[1]));
    }
}
