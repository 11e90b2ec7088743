package dev.evmindexer.rpc;

import static dev.evmindexer.pipeline.ChainSource.Canonical.IfNoneCanTell.GO_ON;
import static dev.evmindexer.pipeline.ChainSource.Canonical.IfNoneCanTell.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.pipeline.ChainSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Walk-backs stay on one endpoint whose head is at or above our tip; a second endpoint confirms. */
class WalksTest {
    private final FakeChain chain = new FakeChain(1, 60);
    private final List<FakeRpcServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(FakeRpcServer::close);
    }

    private FakeRpcServer server() throws Exception {
        FakeRpcServer s = new FakeRpcServer(chain);
        servers.add(s);
        return s;
    }

    private static Hash forked(Hash h) {
        return Hash.of(org.web3j.crypto.Hash.sha3(h.unsafeBytes()));
    }

    /** A node on another fork above block 50: same numbers, other hashes. */
    private FakeRpcServer forkedAbove50() throws Exception {
        return server().script((m, p, normal) -> {
            var answer = normal.get();
            if (!m.equals("eth_getBlockByNumber") || answer.get("result") == null || answer.get("result").isNull()) {
                return answer;
            }
            ObjectNode block = (ObjectNode) answer.get("result");
            long n = Hex.quantity(block.get("number").asText());
            if (n > 50) block.put("hash", forked(Hash.fromHex(block.get("hash").asText())).hex());
            if (n > 51) block.put("parentHash", forked(Hash.fromHex(block.get("parentHash").asText())).hex());
            return answer;
        });
    }

    private long numberedHeaderCalls(FakeRpcServer s) {
        return s.received.stream().filter(r -> r.method().equals("eth_getBlockByNumber")
                && r.params().get(0).asText().startsWith("0x")).count();
    }

    @Test
    void theWalkBackStaysOnAnEndpointAtOrAboveTheTip() throws Exception {
        FakeRpcServer lagging = server().head(30);
        FakeRpcServer good = server();
        try (RpcChainSource s = RpcTesting.connect(1, lagging.url(), good.url())) {
            s.heads();
            long before = numberedHeaderCalls(lagging);
            for (int round = 0; round < 10; round++) {
                ChainSource.Canonical node = s.canonical(55);
                for (long n = 55; n >= 45; n--) assertEquals(chain.block(n), node.header(n).orElseThrow());
            }
            assertEquals(before, numberedHeaderCalls(lagging), "never walks back on the endpoint below our tip");

            ChainSource.Canonical node = s.canonical(55);
            assertFalse(node.confirm(55, chain.block(55).hash(), WAIT), "the other endpoint cannot see #55: no halt");
            assertTrue(node.confirm(55, chain.block(55).hash(), GO_ON), "but a rollback may go on");
            assertTrue(node.confirm(20, chain.block(20).hash(), WAIT));
        }
    }

    @Test
    void endpointsOnDifferentForksDoNotConfirmEachOther() throws Exception {
        FakeRpcServer honest = server();
        FakeRpcServer fork = forkedAbove50();
        try (RpcChainSource s = RpcTesting.connect(1, honest.url(), fork.url())) {
            s.heads();
            for (int round = 0; round < 10; round++) {
                ChainSource.Canonical node = s.canonical(55);
                BlockHeader seen = node.header(53).orElseThrow();
                assertFalse(node.confirm(53, seen.hash(), GO_ON), "the other endpoint has another block #53");
                BlockHeader below = node.header(50).orElseThrow();
                assertEquals(chain.block(50), below);
                assertTrue(node.confirm(50, below.hash(), WAIT), "both agree below the fork");
            }
        }
        try (RpcChainSource alone = RpcTesting.connect(1, fork.url())) {
            ChainSource.Canonical node = alone.canonical(55);
            assertTrue(node.confirm(53, node.header(53).orElseThrow().hash(), WAIT),
                    "the only endpoint, asked again, answers the same");
        }
    }

    @Test
    void theOnlyEndpointIsAskedAgainAndTwoDifferentAnswersConfirmNothing() throws Exception {
        // a load balancer: every other answer for #53 comes from a node on another fork
        AtomicInteger asked = new AtomicInteger();
        FakeRpcServer balancer = server().script((m, p, normal) -> {
            var answer = normal.get();
            if (m.equals("eth_getBlockByNumber") && p.get(0).asText().equals(Hex.quantity(53))
                    && asked.getAndIncrement() % 2 == 1) {
                ObjectNode block = (ObjectNode) answer.get("result");
                block.put("hash", forked(Hash.fromHex(block.get("hash").asText())).hex());
            }
            return answer;
        });
        try (RpcChainSource alone = RpcTesting.connect(1, balancer.url())) {
            ChainSource.Canonical node = alone.canonical(55);
            BlockHeader first = node.header(53).orElseThrow();
            assertEquals(chain.block(53), first);
            assertFalse(node.confirm(53, first.hash(), WAIT), "the second answer differs: no halt on the first one's word");
            assertEquals(2, asked.get(), "asked exactly once more");
            assertTrue(node.confirm(53, first.hash(), WAIT), "the third answer agrees with the first");
        }
    }

    @Test
    void whenNoOtherEndpointCanTellTheAnchorNeedsThePinnedEndpointToSayTheSameTwice() throws Exception {
        FakeRpcServer lagging = server().head(30); // cannot see #55
        AtomicInteger asked = new AtomicInteger();
        FakeRpcServer balancer = server().script((m, p, normal) -> { // its first answer for #55 is from another fork
            var answer = normal.get();
            if (m.equals("eth_getBlockByNumber") && p.get(0).asText().equals(Hex.quantity(55))
                    && asked.getAndIncrement() == 0) {
                ObjectNode block = (ObjectNode) answer.get("result");
                block.put("hash", forked(Hash.fromHex(block.get("hash").asText())).hex());
            }
            return answer;
        });
        try (RpcChainSource s = RpcTesting.connect(1, lagging.url(), balancer.url())) {
            s.heads();
            ChainSource.Canonical node = s.canonical(55);
            BlockHeader first = node.header(55).orElseThrow();
            assertEquals(forked(chain.block(55).hash()), first.hash(), "the pinned endpoint is the balancer");
            assertFalse(node.confirm(55, first.hash(), GO_ON), "one answer from another fork is not stored as the anchor");
            assertTrue(node.confirm(55, chain.block(55).hash(), GO_ON), "the same answer twice is");
        }
    }
}
