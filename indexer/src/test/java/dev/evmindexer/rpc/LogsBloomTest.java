package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.pipeline.LogFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogsBloomTest {
    private static final Address TOKEN = FakeChain.TOKEN;

    @Test
    void setsTheThreeBitsTheYellowPaperNames() {
        byte[] bloom = new byte[256];
        LogsBloom.add(bloom, TOKEN.unsafeBytes());
        byte[] h = org.web3j.crypto.Hash.sha3(TOKEN.unsafeBytes());
        int set = 0;
        for (byte b : bloom) set += Integer.bitCount(b & 0xff);
        assertTrue(set >= 1 && set <= 3, "bits set: " + set);
        for (int i = 0; i < 6; i += 2) {
            int bit = (((h[i] & 0xff) << 8) | (h[i + 1] & 0xff)) & 2047;
            assertTrue((bloom[255 - bit / 8] & (1 << (bit % 8))) != 0, "bit " + bit);
        }
        assertTrue(LogsBloom.mayContain(bloom, TOKEN.unsafeBytes()));
        assertFalse(LogsBloom.mayContain(bloom, FakeChain.TRANSFER.unsafeBytes()));
    }

    @Test
    void matchesAgainstAFilter() {
        byte[] bloom = new byte[256];
        LogsBloom.add(bloom, TOKEN.unsafeBytes());
        LogsBloom.add(bloom, FakeChain.TRANSFER.unsafeBytes());
        assertTrue(LogsBloom.mayMatch(bloom, new LogFilter(List.of(TOKEN), List.of(FakeChain.TRANSFER))));
        assertTrue(LogsBloom.mayMatch(bloom, new LogFilter(List.of(), List.of(FakeChain.TRANSFER))));
        assertTrue(LogsBloom.mayMatch(bloom, new LogFilter(List.of(FakeChain.OTHER, TOKEN), List.of())));
        assertFalse(LogsBloom.mayMatch(bloom, new LogFilter(List.of(TOKEN), List.of(FakeChain.APPROVAL))));
        assertFalse(LogsBloom.mayMatch(bloom, new LogFilter(List.of(FakeChain.OTHER), List.of(FakeChain.TRANSFER))));
        assertFalse(LogsBloom.mayMatch(new byte[256], new LogFilter(List.of(), List.of())));
        assertFalse(LogsBloom.mayMatch(new byte[0], new LogFilter(List.of(), List.of())), "unknown bloom");
        assertTrue(LogsBloom.mayContain(new byte[0], Hash.ZERO.unsafeBytes()), "unknown bloom");
    }
}
