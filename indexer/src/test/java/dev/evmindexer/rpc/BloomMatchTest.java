package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.abi.Bloom;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import dev.evmindexer.pipeline.LogFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bloom checks of answers, on {@link Bloom} (the algorithm itself is tested in abi.BloomTest). */
class BloomMatchTest {
    private static final Address TOKEN = FakeChain.TOKEN;

    private static Log log(Address address, Hash... topics) {
        return new Log(address, List.of(topics), new byte[0], 1, Hash.ZERO, Hash.ZERO, 0, 0);
    }

    @Test
    void aLogMustHaveItsAddressAndEveryTopicInTheBloom() {
        byte[] bits = new byte[256];
        Bloom.add(bits, TOKEN.unsafeBytes());
        Bloom.add(bits, FakeChain.TRANSFER.unsafeBytes());
        LogsBloom bloom = LogsBloom.of(bits);
        assertTrue(AnswerChecks.mayContain(bloom, log(TOKEN, FakeChain.TRANSFER)));
        assertFalse(AnswerChecks.mayContain(bloom, log(FakeChain.OTHER, FakeChain.TRANSFER)));
        assertFalse(AnswerChecks.mayContain(bloom, log(TOKEN, FakeChain.TRANSFER, FakeChain.APPROVAL)));
        assertTrue(AnswerChecks.mayContain(LogsBloom.UNKNOWN, log(FakeChain.OTHER, FakeChain.APPROVAL)), "unknown bloom");
    }

    @Test
    void matchesAgainstAFilter() {
        byte[] bits = new byte[256];
        Bloom.add(bits, TOKEN.unsafeBytes());
        Bloom.add(bits, FakeChain.TRANSFER.unsafeBytes());
        LogsBloom bloom = LogsBloom.of(bits);
        assertTrue(AnswerChecks.mayMatch(bloom, new LogFilter(List.of(TOKEN), List.of(FakeChain.TRANSFER))));
        assertTrue(AnswerChecks.mayMatch(bloom, new LogFilter(List.of(), List.of(FakeChain.TRANSFER))));
        assertTrue(AnswerChecks.mayMatch(bloom, new LogFilter(List.of(FakeChain.OTHER, TOKEN), List.of())));
        assertFalse(AnswerChecks.mayMatch(bloom, new LogFilter(List.of(TOKEN), List.of(FakeChain.APPROVAL))));
        assertFalse(AnswerChecks.mayMatch(bloom, new LogFilter(List.of(FakeChain.OTHER), List.of(FakeChain.TRANSFER))));
        assertFalse(AnswerChecks.mayMatch(LogsBloom.of(new byte[256]), new LogFilter(List.of(), List.of())));
        assertFalse(AnswerChecks.mayMatch(LogsBloom.UNKNOWN, new LogFilter(List.of(), List.of())), "unknown bloom");
    }

    @Test
    void aFilterWithTopicPositionsMatchesOnlyWhenOneValueOfEachMayBeThere() {
        byte[] bits = new byte[256];
        Bloom.add(bits, TOKEN.unsafeBytes());
        Bloom.add(bits, FakeChain.TRANSFER.unsafeBytes());
        Bloom.add(bits, Hash.ZERO.unsafeBytes());
        LogsBloom bloom = LogsBloom.of(bits);
        // an empty answer for "transfers to X" is no contradiction when X is not in the bloom
        assertFalse(AnswerChecks.mayMatch(bloom, new LogFilter(List.of(TOKEN), List.of(FakeChain.TRANSFER),
                List.of(List.of(), List.of(FakeChain.APPROVAL)))));
        assertTrue(AnswerChecks.mayMatch(bloom, new LogFilter(List.of(TOKEN), List.of(FakeChain.TRANSFER),
                List.of(List.of(), List.of(FakeChain.APPROVAL, Hash.ZERO)))));
    }

    @Test
    void topicPositionsGoIntoTheRequestWithNullForAnOpenPosition() {
        LogFilter f = new LogFilter(List.of(TOKEN), List.of(FakeChain.TRANSFER), List.of(List.of(), List.of(Hash.ZERO)));
        @SuppressWarnings("unchecked")
        var params = (java.util.Map<String, Object>) Requests.logsOfRange(1, 2, f).params().get(0);
        assertEquals(java.util.Arrays.asList(List.of(FakeChain.TRANSFER.hex()), null, List.of(Hash.ZERO.hex())), params.get("topics"));
        var plain = (java.util.Map<?, ?>) Requests.logsOfRange(1, 2, new LogFilter(List.of(TOKEN), List.of(FakeChain.TRANSFER)))
                .params().get(0);
        assertEquals(List.of(List.of(FakeChain.TRANSFER.hex())), plain.get("topics"), "without filters the request is as before");
        assertTrue(f.matches(log(TOKEN, FakeChain.TRANSFER, FakeChain.APPROVAL, Hash.ZERO)));
        assertFalse(f.matches(log(TOKEN, FakeChain.TRANSFER, FakeChain.APPROVAL, FakeChain.APPROVAL)));
        assertFalse(f.matches(log(TOKEN, FakeChain.TRANSFER, FakeChain.APPROVAL)), "too few topics for a constrained position");
    }
}
