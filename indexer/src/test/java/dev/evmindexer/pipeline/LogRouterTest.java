package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.abi.RejectReason;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One router serves every chain of a process: a table two chains share keeps each chain's counts apart. */
class LogRouterTest {
    private static final EventSignature TRANSFER =
            EventSignature.parse("event Transfer(address indexed from, address indexed to, uint256 value)");

    private static EventTable transfers(long chainId) {
        return new EventTable("public", "transfers", chainId, "token_" + chainId, 0,
                new LogFilter(List.of(FakeChain.TOKEN), List.of(TRANSFER.topic0())), TRANSFER, new EventDecoder(TRANSFER),
                "h" + chainId);
    }

    @Test
    void rejectsOfASharedTableAreCountedPerChain() {
        LogRouter router = new LogRouter();
        EventTable one = transfers(1);
        EventTable two = transfers(2);
        Hash h = Hash.of(new byte[32]);
        Log twoTopics = new Log(FakeChain.TOKEN, List.of(TRANSFER.topic0(), h), new byte[32], 5, h, h, 0, 0);
        BlockHeader header = new BlockHeader(5, h, h, 1_700_000_000L, LogsBloom.of(new byte[256]));
        router.route(List.of(one), List.of(twoTopics, twoTopics), n -> header);
        router.route(List.of(two), List.of(twoTopics), n -> header);
        assertEquals(2, router.rejected(one, RejectReason.TOPIC_COUNT));
        assertEquals(1, router.rejected(two, RejectReason.TOPIC_COUNT));
        assertEquals(3, router.rejected());
    }
}
