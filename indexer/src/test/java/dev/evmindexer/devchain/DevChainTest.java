package dev.evmindexer.devchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.web3j.utils.Bloom;

class DevChainTest {
    private static final Address ALICE = Address.fromHex("0x00000000000000000000000000000000000a11ce");
    private static final Address BOB = Address.fromHex("0x0000000000000000000000000000000000000b0b");

    @Test
    void eventTopicsAreTheKeccakOfTheirSignatures() {
        assertArrayEquals(DevChain.TRANSFER_TOPIC.unsafeBytes(),
                DevHashing.keccak256("Transfer(address,address,uint256)".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(DevChain.APPROVAL_TOPIC.unsafeBytes(),
                DevHashing.keccak256("Approval(address,address,uint256)".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void genesisIsBlockZeroWithoutParent() {
        DevChain chain = new DevChain(7, 3);
        assertEquals(0, chain.head());
        BlockHeader genesis = chain.header(0).orElseThrow();
        assertEquals(Hash.ZERO, genesis.parentHash());
        assertEquals(DevChain.DEFAULT_GENESIS_TIMESTAMP, genesis.timestamp());
        assertTrue(chain.header(1).isEmpty());
        assertTrue(chain.logs(0, 0).isEmpty());
    }

    @Test
    void minedBlocksLinkToTheirParentsWithIncreasingTimestamps() {
        DevChain chain = new DevChain(7, 3, 12, 1000);
        Random random = new Random(1);
        for (int i = 0; i < 30; i++) chain.mineRandom(random);
        assertEquals(30, chain.head());
        Set<Hash> hashes = new HashSet<>();
        for (long n = 1; n <= 30; n++) {
            BlockHeader parent = chain.header(n - 1).orElseThrow();
            BlockHeader block = chain.header(n).orElseThrow();
            assertTrue(parent.ref().isParentOf(block.ref()), "block " + n + " links to its parent");
            assertEquals(1000 + 12 * n, block.timestamp());
            assertTrue(hashes.add(block.hash()), "unique hash at " + n);
            assertEquals(block, chain.headerByHash(block.hash()).orElseThrow());
        }
        assertTrue(chain.header(31).isEmpty());
    }

    @Test
    void explicitLogsAreMinedAsGivenWithPositionsAndBloom() {
        DevChain chain = new DevChain(7, 3);
        Address token = DevChain.TOKENS.get(1);
        List<LogSpec> specs = List.of(
                LogSpec.transfer(token, ALICE, BOB, BigInteger.valueOf(1000)),
                LogSpec.approval(token, ALICE, BOB, BigInteger.TWO.pow(200)),
                new LogSpec(DevChain.OTHER, List.of(), new byte[] {1, 2, 3}));
        BlockHeader header = chain.mine(specs);
        List<Log> logs = chain.logs(1, 1);
        assertEquals(3, logs.size());
        for (int i = 0; i < 3; i++) {
            Log log = logs.get(i);
            assertEquals(specs.get(i).address(), log.address());
            assertEquals(specs.get(i).topics(), log.topics());
            assertArrayEquals(specs.get(i).data(), log.data());
            assertEquals(1, log.blockNumber());
            assertEquals(header.hash(), log.blockHash());
            assertEquals(i, log.logIndex());
            assertEquals(i, log.txIndex());
        }
        assertEquals(3, logs.stream().map(Log::txHash).distinct().count());
        assertEquals(BigInteger.valueOf(1000), new BigInteger(1, logs.get(0).data()));
        assertEquals(LogSpec.pad(BOB), logs.get(0).topics().get(2));
        assertEquals(LogsBloom.of(web3jBloom(logs)), header.logsBloom());
    }

    @Test
    void generatedBlocksHaveTransfersFromTokensNoiseAndACorrectBloom() {
        DevChain chain = new DevChain(7, 3);
        long head = chain.pregenerate(50, 100, new Random(2));
        assertEquals(50, head);
        for (long n = 1; n <= 50; n++) {
            BlockHeader header = chain.header(n).orElseThrow();
            List<Log> logs = chain.logs(n, n);
            assertEquals(100, logs.size());
            long tokenTransfers = logs.stream().filter(l -> DevChain.TOKENS.contains(l.address())
                    && DevChain.TRANSFER_TOPIC.equals(l.topic0())).count();
            assertEquals(90, tokenTransfers, "block " + n);
            int previousTx = 0;
            for (int i = 0; i < logs.size(); i++) {
                Log log = logs.get(i);
                assertEquals(i, log.logIndex());
                assertTrue(log.txIndex() == previousTx || log.txIndex() == previousTx + 1, "consecutive tx indexes");
                previousTx = log.txIndex();
                assertEquals(3, log.topics().size());
                assertEquals(32, log.data().length);
            }
            assertEquals(LogsBloom.of(web3jBloom(logs)), header.logsBloom(), "bloom of block " + n);
        }
        List<Log> all = chain.logs(1, 50);
        assertTrue(all.stream().anyMatch(l -> l.address().equals(DevChain.OTHER)), "some logs from OTHER");
        assertTrue(all.stream().anyMatch(l -> DevChain.APPROVAL_TOPIC.equals(l.topic0())), "some Approval logs");
        assertTrue(all.stream().anyMatch(l -> l.txIndex() != l.logIndex()), "some transactions have several logs");
        assertEquals(all, chain.logs(1, 50), "regenerated logs are identical");
    }

    @Test
    void reorgReplacesOnlyTheBlocksAboveTheForkPoint() {
        DevChain chain = new DevChain(7, 5);
        Random random = new Random(3);
        for (int i = 0; i < 10; i++) chain.mineRandom(random);
        List<BlockHeader> before = headers(chain);
        List<Log> oldLogs = chain.logs(8, 10);

        DevChain.Reorg reorg = chain.reorg(3, random);

        assertEquals(7, reorg.ancestor());
        assertEquals(3, reorg.depth());
        assertEquals(before.get(10).ref(), reorg.oldHead());
        assertEquals(10, chain.head());
        List<BlockHeader> after = headers(chain);
        assertEquals(after.get(10).ref(), reorg.newHead());
        for (int n = 0; n <= 7; n++) assertEquals(before.get(n), after.get(n), "block " + n + " kept");
        for (int n = 8; n <= 10; n++) {
            assertNotEquals(before.get(n).hash(), after.get(n).hash(), "block " + n + " replaced");
            assertEquals(before.get(n).timestamp(), after.get(n).timestamp());
            assertTrue(chain.headerByHash(before.get(n).hash()).isEmpty(), "orphan " + n + " is unknown");
            assertTrue(after.get(n - 1).ref().isParentOf(after.get(n).ref()));
            assertFalse(chain.logs(n, n).isEmpty(), "replacement blocks carry transfers");
        }
        assertNotEquals(oldLogs, chain.logs(8, 10));
    }

    @Test
    void finalizedAndSafeTagsTrailTheHeadByTheFinalityDepth() {
        DevChain chain = new DevChain(7, 5);
        Random random = new Random(4);
        assertEquals(0, chain.finalized());
        for (int i = 0; i < 3; i++) chain.mineRandom(random);
        assertEquals(0, chain.finalized());
        for (int i = 0; i < 9; i++) chain.mineRandom(random);
        assertEquals(12, chain.head());
        assertEquals(7, chain.finalized());
    }

    @Test
    void refusesReorgsBelowFinalityUnlessForcedAndNeverGenesis() {
        DevChain chain = new DevChain(7, 4);
        Random random = new Random(5);
        for (int i = 0; i < 10; i++) chain.mineRandom(random);
        Hash head = chain.header(10).orElseThrow().hash();
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> chain.reorg(5, random));
        assertTrue(refused.getMessage().contains("finalized block 6"), refused.getMessage());
        assertEquals(head, chain.header(10).orElseThrow().hash(), "a refused reorg changes nothing");
        chain.reorg(4, random); // exactly the unfinalized blocks 7..10
        assertThrows(IllegalArgumentException.class, () -> chain.reorg(0, random));
        assertThrows(IllegalArgumentException.class, () -> chain.forceReorg(11, random));

        Hash block3 = chain.header(3).orElseThrow().hash();
        DevChain.Reorg forced = chain.forceReorg(10, random);
        assertEquals(0, forced.ancestor());
        assertNotEquals(block3, chain.header(3).orElseThrow().hash());

        DevChain trustHead = new DevChain(7, 0);
        trustHead.mineRandom(random);
        assertThrows(IllegalStateException.class, () -> trustHead.reorg(1, random));
    }

    @Test
    void theSameSeedGivesTheSameChain() {
        assertEquals(scriptedHead(42), scriptedHead(42));
        assertNotEquals(scriptedHead(42), scriptedHead(43));
    }

    @Test
    void driverStepsAreDeterministicAndReportReorgs() {
        DevChainDriver.Options options = new DevChainDriver.Options(java.time.Duration.ofSeconds(1), 6, 0.3, 3, 99);
        DevChain a = new DevChain(7, 10);
        DevChain b = new DevChain(7, 10);
        List<DevChain.Reorg> seen = new ArrayList<>();
        DevChainDriver driverA = new DevChainDriver(a, options, seen::add);
        DevChainDriver driverB = new DevChainDriver(b, options, null);
        for (int i = 0; i < 60; i++) {
            driverA.step();
            driverB.step();
        }
        assertEquals(60, a.head());
        assertEquals(60, driverA.blocksMined());
        assertEquals(a.header(60), b.header(60));
        assertEquals(a.logs(0, 60), b.logs(0, 60));
        assertTrue(driverA.reorgs() > 0, "with a 30% chance some of 60 steps reorg");
        assertEquals(driverA.reorgs(), seen.size());
        assertEquals(driverA.reorgs(), driverB.reorgs());
        for (DevChain.Reorg r : seen) assertTrue(r.depth() >= 1 && r.depth() <= 3, "depth " + r.depth());
    }

    @Test
    void driverThreadMinesUntilClosed() throws InterruptedException {
        DevChain chain = new DevChain(7, 10);
        DevChainDriver.Options options = new DevChainDriver.Options(java.time.Duration.ofMillis(2), 4, 0.2, 2, 1);
        try (DevChainDriver driver = DevChainDriver.start(chain, options, null)) {
            while (driver.blocksMined() < 20) Thread.sleep(5);
        }
        long head = chain.head();
        assertTrue(head >= 20);
        Thread.sleep(20);
        assertEquals(head, chain.head(), "no blocks after close");
        for (long n = 1; n <= head; n++) {
            assertTrue(chain.header(n - 1).orElseThrow().ref().isParentOf(chain.header(n).orElseThrow().ref()));
        }
    }

    private static Hash scriptedHead(long seed) {
        DevChain chain = new DevChain(7, 6);
        Random random = new Random(seed);
        for (int i = 0; i < 20; i++) chain.mineRandom(random);
        chain.mine(List.of(LogSpec.transfer(DevChain.TOKENS.get(0), ALICE, BOB, BigInteger.ONE)));
        chain.reorg(4, random);
        chain.pregenerate(5, 10, random);
        return chain.header(chain.head()).orElseThrow().hash();
    }

    private static List<BlockHeader> headers(DevChain chain) {
        List<BlockHeader> out = new ArrayList<>();
        for (long n = 0; n <= chain.head(); n++) out.add(chain.header(n).orElseThrow());
        return out;
    }

    /** The bloom as web3j computes it, an implementation independent of {@link DevHashing}. */
    static byte[] web3jBloom(List<Log> logs) {
        Bloom bloom = new Bloom();
        for (Log log : logs) {
            bloom.add(log.address().toArray());
            for (Hash topic : log.topics()) bloom.add(topic.toArray());
        }
        return bloom.getBytes();
    }
}
