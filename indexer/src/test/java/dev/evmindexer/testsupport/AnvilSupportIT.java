package dev.evmindexer.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test support itself, against a real anvil: what later integration tests build on. */
class AnvilSupportIT {
    private Anvil anvil;

    @BeforeEach
    void startAnvil() {
        anvil = Anvil.start();
    }

    @AfterEach
    void stopAnvil() {
        anvil.close();
    }

    @Test
    void startsOnAFreePortWithTheDevChain() {
        assertEquals(Anvil.CHAIN_ID, anvil.chainId());
        assertEquals(0, anvil.blockNumber());
        assertEquals(10, anvil.accounts().size());
        assertEquals("http://127.0.0.1:" + anvil.port(), anvil.url());
        assertEquals("anvil-" + anvil.port() + ".log", anvil.logFile().getFileName().toString());
    }

    @Test
    void batchTransfersAreReadBackWithGetLogs() {
        TestTokenContract token = TestTokenContract.deploy(anvil);
        Address sender = anvil.accounts().get(1);
        List<Address> to = IntStream.range(0, 25).mapToObj(i -> address(0x1000 + i)).toList();
        List<BigInteger> amounts = IntStream.range(0, 25).mapToObj(i -> BigInteger.valueOf(i + 1)).toList();

        Hash tx = token.batch(sender, to, amounts);
        long block = Hex.quantity(anvil.receipt(tx).get("blockNumber").asText());
        JsonNode logs = anvil.getLogs(token.address(), block, block);

        assertEquals(25, logs.size());
        for (int i = 0; i < 25; i++) {
            JsonNode log = logs.get(i);
            assertEquals(tx.hex(), log.get("transactionHash").asText());
            assertEquals(i, Hex.quantity(log.get("logIndex").asText()));
            assertEquals(List.of(TestTokenContract.TRANSFER_TOPIC, topic(sender), topic(to.get(i))), topics(log));
            assertEquals(BigInteger.valueOf(i + 1), new BigInteger(1, Hex.decode(log.get("data").asText())));
        }
    }

    @Test
    void mintTransferAndNftTransferShareTopic0ButNotTheTopicCount() {
        TestTokenContract token = TestTokenContract.deploy(anvil);
        Address alice = anvil.accounts().get(2);
        Address bob = anvil.accounts().get(3);
        long from = anvil.blockNumber() + 1;
        token.mint(alice, BigInteger.TEN);
        token.transfer(alice, bob, BigInteger.TWO);
        token.nftTransfer(alice, bob, BigInteger.valueOf(7));

        ObjectNode filter = JsonRpcClient.JSON.createObjectNode();
        filter.put("fromBlock", Hex.quantity(from));
        filter.put("toBlock", "latest");
        filter.putArray("topics").add(TestTokenContract.TRANSFER_TOPIC.hex());
        JsonNode logs = anvil.getLogs(filter);

        assertEquals(3, logs.size(), "each call is mined in its own block with one log");
        assertEquals(List.of(TestTokenContract.TRANSFER_TOPIC, topic(Address.of(new byte[20])), topic(alice)), topics(logs.get(0)));
        assertEquals(List.of(TestTokenContract.TRANSFER_TOPIC, topic(alice), topic(bob)), topics(logs.get(1)));
        assertEquals(List.of(TestTokenContract.TRANSFER_TOPIC, topic(alice), topic(bob), uintTopic(7)), topics(logs.get(2)));
        assertEquals("0x", logs.get(2).get("data").asText());
        assertEquals(3, logs.findValuesAsText("blockNumber").stream().distinct().count(), "automine: one block per tx");
    }

    @Test
    void reorgReplacesTheTopBlocksAndPutsTheGivenTransactionsInThem() {
        TestTokenContract token = TestTokenContract.deploy(anvil);
        Address alice = anvil.accounts().get(2);
        anvil.mine(5);
        Hash oldMint = token.mint(alice, BigInteger.ONE);
        anvil.mine(2);
        long head = anvil.blockNumber();
        long common = head - 4;
        List<Hash> before = hashes(common, head);

        Address bob = anvil.accounts().get(3);
        anvil.reorg(4, List.of(new TxSpec(token.deployer(), token.address(),
                TestTokenContract.encodeMint(bob, BigInteger.valueOf(99)), 1)));

        assertEquals(head, anvil.blockNumber(), "a reorg keeps the height");
        List<Hash> after = hashes(common, head);
        assertEquals(before.get(0), after.get(0), "the common ancestor stays");
        for (int i = 1; i < after.size(); i++) {
            assertNotEquals(before.get(i), after.get(i), "block " + (common + i) + " is replaced");
            assertEquals(after.get(i - 1).hex(), anvil.block(common + i).get("parentHash").asText(), "new blocks link up");
        }
        JsonNode logs = anvil.getLogs(token.address(), common + 1, head);
        assertEquals(1, logs.size(), "the old mint is gone, the new one is there");
        assertNotEquals(oldMint.hex(), logs.get(0).get("transactionHash").asText());
        assertEquals(common + 2, Hex.quantity(logs.get(0).get("blockNumber").asText()), "offset 1 is the 2nd new block");
        assertEquals(topic(bob), topics(logs.get(0)).get(2));
        assertTrue(anvil.receipt(oldMint).isNull(), "the replaced transaction has no receipt any more");
    }

    @Test
    void reorgRefusesAnOffsetOutsideTheNewBlocks() {
        anvil.mine(3);
        Address a = anvil.accounts().get(0);
        assertThrows(IllegalArgumentException.class, () -> anvil.reorg(2, List.of(new TxSpec(a, a, "0x", 2))));
        var tooDeep = assertThrows(JsonRpcClient.RpcException.class, () -> anvil.reorg(10, List.of()));
        assertTrue(tooDeep.getMessage().contains("anvil_reorg"), tooDeep.getMessage());
    }

    @Test
    void reorgReportsATransactionThatFailsInTheNewBlocks() {
        TestTokenContract token = TestTokenContract.deploy(anvil);
        anvil.mine(2);
        TxSpec starved = new TxSpec(token.deployer(), token.address(),
                TestTokenContract.encodeMint(anvil.accounts().get(4), BigInteger.ONE), 0, 30_000);
        var e = assertThrows(IllegalStateException.class, () -> anvil.reorg(2, List.of(starved)));
        assertTrue(e.getMessage().contains("failed (status 0x0"), e.getMessage());
    }

    @Test
    void rollbackLowersTheHead() {
        anvil.mine(10);
        Hash keep = anvil.blockHash(6);
        anvil.rollback(4);
        assertEquals(6, anvil.blockNumber());
        assertEquals(keep, anvil.blockHash(6));
        assertTrue(anvil.block(7).isNull());
        anvil.mine(1);
        assertEquals(keep.hex(), anvil.block(7).get("parentHash").asText(), "mining continues from the new head");
    }

    /** What anvil 1.7.1 answers for "finalized": head - 64, floored at genesis. The design relies on it. */
    @Test
    void finalizedIsSixtyFourBlocksBehindTheHead() {
        assertEquals(0, anvil.finalizedNumber());
        anvil.mine(10);
        assertEquals(0, anvil.finalizedNumber());
        anvil.mine(90);
        assertEquals(100, anvil.blockNumber());
        assertEquals(36, anvil.finalizedNumber());
        assertEquals(68, Hex.quantity(anvil.block("safe").get("number").asText()), "safe is head - 32");
    }

    @Test
    void snapshotAndRevertRestoreTheChain() {
        anvil.mine(3);
        String id = anvil.snapshot();
        anvil.mine(5);
        assertTrue(anvil.revert(id));
        assertEquals(3, anvil.blockNumber());
    }

    @Test
    void rpcErrorsNameTheMethod() {
        var e = assertThrows(JsonRpcClient.RpcException.class, () -> anvil.rpc("no_suchMethod"));
        assertEquals("no_suchMethod", e.method());
        assertEquals(-32601, e.code());
    }

    @Test
    void revertedTransactionsRaise() {
        TestTokenContract token = TestTokenContract.deploy(anvil);
        Address from = anvil.accounts().get(1);
        // No such function and no fallback: anvil 1.7.1 mines it anyway, with status 0.
        var e = assertThrows(IllegalStateException.class, () -> anvil.sendTransaction(from, token.address(), "0xdeadbeef"));
        assertTrue(e.getMessage().contains("reverted"), e.getMessage());
        assertEquals(2, anvil.blockNumber(), "the failed transaction was mined after the deployment");
    }

    @Test
    void compilesOncePerJvm() {
        Solc.Contract first = Solc.compileResource("contracts/TestToken.sol", "TestToken");
        Solc.Contract second = Solc.compileResource("contracts/TestToken.sol", "TestToken");
        assertTrue(first.bytecode().startsWith("0x6080"), first.bytecode().substring(0, 10));
        assertEquals(first, second);
        List<String> functions = new ArrayList<>();
        first.abi().forEach(entry -> functions.add(entry.path("name").asText()));
        assertTrue(functions.containsAll(List.of("mint", "transfer", "batch", "nftTransfer", "Transfer")), functions.toString());
        assertThrows(IllegalArgumentException.class, () -> Solc.compileResource("contracts/TestToken.sol", "Nope"));
    }

    @Test
    void closeKillsTheProcessAndFreesThePort() {
        Anvil other = Anvil.start();
        long pid = other.pid();
        other.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertThrows(UncheckedIOException.class, other::blockNumber);
        other.close(); // idempotent
    }

    private List<Hash> hashes(long from, long to) {
        List<Hash> hashes = new ArrayList<>();
        for (long n = from; n <= to; n++) hashes.add(anvil.blockHash(n));
        return hashes;
    }

    private static List<Hash> topics(JsonNode log) {
        List<Hash> topics = new ArrayList<>();
        log.get("topics").forEach(t -> topics.add(Hash.fromHex(t.asText())));
        return topics;
    }

    private static Hash topic(Address address) {
        byte[] word = new byte[32];
        System.arraycopy(address.unsafeBytes(), 0, word, 12, 20);
        return Hash.of(word);
    }

    private static Hash uintTopic(long value) {
        byte[] word = new byte[32];
        for (int i = 0; i < 8; i++) word[31 - i] = (byte) (value >>> (8 * i));
        return Hash.of(word);
    }

    private static Address address(int n) {
        byte[] bytes = new byte[20];
        bytes[18] = (byte) (n >>> 8);
        bytes[19] = (byte) n;
        return Address.of(bytes);
    }
}
