package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.JsonRpcClient;
import dev.evmindexer.testsupport.Solc;
import dev.evmindexer.testsupport.TestPostgres;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transaction and block fields against a real anvil and PostgreSQL, in the range phase (blocks mined before the daemon
 * starts, below anvil's finalized block) and at the tip: every row's fields equal what {@code eth_getTransactionByHash},
 * {@code eth_getTransactionReceipt} and the block say, for legacy and EIP-1559 transactions with and without a value,
 * several logs per transaction, and contract creations whose constructor emits ({@code tx_to} NULL); a reverted
 * transaction leaves no row. {@code verify} compares the fields too.
 */
class TxFieldsIT {
    private static final String FIELDS = "[tx_from, tx_to, tx_value, tx_input, tx_selector, tx_nonce, tx_type, tx_status, "
            + "tx_gas_used, tx_effective_gas_price, block_base_fee, block_miner]";

    @TempDir
    Path dir;

    private Anvil anvil;
    private Solc.Contract noter;
    private List<Address> accounts;
    private final String user = TestPostgres.user();
    private String url;
    private final List<Hash> creations = new ArrayList<>();
    private final List<Hash> reverted = new ArrayList<>();
    private int round;

    @BeforeEach
    void start() {
        anvil = Anvil.start();
        noter = Solc.compileResource("contracts/Noter.sol", "Noter");
        accounts = anvil.accounts();
        url = TestPostgres.newDatabase();
    }

    @AfterEach
    void stop() {
        anvil.close();
    }

    private static String selector(String signature) {
        return org.web3j.crypto.Hash.sha3String(signature).substring(0, 10);
    }

    /** Sends and waits for the receipt (automine); a revert is expected only when {@code mayRevert}. */
    private Hash send(Address from, Address to, String data, long value, boolean legacy, boolean mayRevert) {
        ObjectNode tx = JsonRpcClient.JSON.createObjectNode();
        tx.put("from", from.hex());
        if (to != null) tx.put("to", to.hex());
        tx.put("data", data);
        tx.put("value", Hex.quantity(value));
        tx.put("gas", Hex.quantity(3_000_000));
        if (legacy) tx.put("gasPrice", Hex.quantity(3_000_000_000L));
        Hash hash = Hash.fromHex(anvil.rpc("eth_sendTransaction", tx).asText());
        JsonNode receipt = anvil.receipt(hash);
        for (int i = 0; i < 2000 && receipt.isNull(); i++) { // under load anvil may answer before the block exists
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            receipt = anvil.receipt(hash);
        }
        assertFalse(receipt.isNull(), "mined under automine within 10 s: " + hash);
        assertEquals(mayRevert ? "0x0" : "0x1", receipt.get("status").asText(), "status of " + hash);
        return hash;
    }

    private Address deploy(Address from, long value, boolean legacy) {
        Hash hash = send(from, null, "0x" + noter.bytecode().replaceFirst("^0x", ""), value, legacy, false);
        creations.add(hash);
        return Address.fromHex(anvil.receipt(hash).get("contractAddress").asText());
    }

    /** One round: calls from several senders, legacy and EIP-1559, with and without value, sometimes a creation or a revert. */
    private void traffic(Address target) {
        round++;
        Address from = accounts.get(round % 4);
        send(from, target, selector("note()"), round % 2 == 0 ? 0 : 1_000L * round, round % 3 == 0, false);
        if (round % 4 == 0) {
            send(accounts.get(5), target, selector("notes(uint256)") + "%064x".formatted(3), 7, false, false);
        }
        if (round % 5 == 0) deploy(accounts.get(round % 3), round, round % 2 == 0);
        if (round % 7 == 0) reverted.add(send(accounts.get(6), target, selector("fail()"), 0, false, true));
    }

    private Path config() throws Exception {
        return ChainCheck.config(dir, url, user, anvil, "finalized", """
                  - name: noters
                    chain: anvil
                    start_block: 0
                    events:
                      - signature: "event Note(address indexed sender, uint256 value, uint256 seq)"
                        table: notes
                        fields: %s
                """.formatted(FIELDS));
    }

    @Test
    void everyRowsFieldsEqualTheNodesTransactionReceiptAndBlockInBothPhases() throws Exception {
        Address target = deploy(accounts.get(0), 0, false);
        for (int i = 0; i < 30; i++) traffic(target);
        anvil.mine(70); // anvil finalizes head - 64: all of the above is range-phase work
        Path cfg = config();
        Daemon daemon = null;
        try (Wiring w = Wiring.load(cfg)) {
            w.openDatabase("tx fields test daemon");
            daemon = RunCommand.start(w);
            awaitInSync();
            for (int i = 0; i < 12; i++) traffic(target); // at the tip, one block per transaction
            deploy(accounts.get(2), 5, false);
            awaitInSync();
            assertEquals(0, daemon.loops().get(0).status().errors.get(), "no step failed");
        } finally {
            if (daemon != null) daemon.close();
        }

        List<String> rows = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        Set<String> txs = new HashSet<>();
        long nullTo = 0;
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT block_number, log_index, tx_hash, tx_from, tx_to, tx_value, tx_input, "
                        + "tx_selector, tx_nonce, tx_type, tx_status, tx_gas_used, tx_effective_gas_price, block_base_fee, "
                        + "block_miner FROM notes ORDER BY block_number, log_index")) {
            while (rs.next()) {
                Hash tx = Hash.of(rs.getBytes(3));
                txs.add(tx.hex());
                if (rs.getBytes(5) == null) nullTo++;
                rows.add(rs.getLong(1) + "/" + rs.getInt(2) + " " + tx.hex() + " from=" + hex(rs.getBytes(4)) + " to="
                        + hex(rs.getBytes(5)) + " value=" + rs.getBigDecimal(6).toBigIntegerExact() + " input=" + hex(rs.getBytes(7))
                        + " selector=" + hex(rs.getBytes(8)) + " nonce=" + rs.getLong(9) + " type=" + rs.getShort(10)
                        + " status=" + rs.getBoolean(11) + " gas_used=" + rs.getLong(12) + " price="
                        + rs.getBigDecimal(13).toBigIntegerExact() + " base_fee=" + rs.getBigDecimal(14).toBigIntegerExact()
                        + " miner=" + hex(rs.getBytes(15)));
                expected.add(rs.getLong(1) + "/" + rs.getInt(2) + " " + tx.hex() + " " + fromNode(tx, rs.getLong(1)));
            }
        }
        assertEquals(expected, rows, "every row's fields are the node's");
        assertEquals(nodeLogCount(), rows.size(), "one row per Note log on the node");
        assertTrue(rows.size() > 60, "rows in both phases: " + rows.size());
        for (Hash h : creations) assertTrue(txs.contains(h.hex()), "the constructor's log of creation " + h);
        assertEquals(creations.size(), nullTo, "exactly the creations' rows have no tx_to");
        assertFalse(reverted.isEmpty());
        for (Hash h : reverted) assertFalse(txs.contains(h.hex()), "a reverted transaction has no row: " + h);

        String to = Long.toString(anvil.blockNumber());
        VerifyIT.Run clean = VerifyIT.cli("verify", "--config", cfg.toString(), "--from", "0", "--to", to);
        assertEquals(0, clean.code(), clean.out());
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement()) {
            s.execute("UPDATE notes SET tx_from = '\\x00'::bytea WHERE block_number = (SELECT min(block_number) FROM notes)");
        }
        VerifyIT.Run found = VerifyIT.cli("verify", "--config", cfg.toString(), "--from", "0", "--to", to);
        assertEquals(VerifyCommand.EXIT_DIFFERENT, found.code(), found.out());
        assertTrue(found.out().contains("differs in tx_from"), found.out());
    }

    /** The same line as a row, from eth_getTransactionByHash, eth_getTransactionReceipt and the block. */
    private String fromNode(Hash hash, long block) {
        JsonNode tx = anvil.rpc("eth_getTransactionByHash", hash);
        JsonNode receipt = anvil.rpc("eth_getTransactionReceipt", hash);
        JsonNode b = anvil.block(block);
        assertEquals(Hex.quantity(tx.get("blockNumber").asText()), block, "the row's block is its transaction's");
        String input = tx.has("input") ? tx.get("input").asText() : tx.get("data").asText();
        JsonNode to = tx.get("to");
        return "from=" + tx.get("from").asText() + " to=" + (to == null || to.isNull() ? "null" : to.asText())
                + " value=" + big(tx.get("value")) + " input=" + input + " selector="
                + (input.length() >= 10 ? input.substring(0, 10) : "null") + " nonce=" + Hex.quantity(tx.get("nonce").asText())
                + " type=" + Hex.quantity(tx.get("type").asText()) + " status=" + "0x1".equals(receipt.get("status").asText())
                + " gas_used=" + Hex.quantity(receipt.get("gasUsed").asText()) + " price=" + big(receipt.get("effectiveGasPrice"))
                + " base_fee=" + big(b.get("baseFeePerGas")) + " miner=" + b.get("miner").asText();
    }

    private long nodeLogCount() {
        ObjectNode filter = JsonRpcClient.JSON.createObjectNode();
        filter.put("fromBlock", "0x0");
        filter.put("toBlock", Hex.quantity(anvil.blockNumber()));
        filter.putArray("topics").add(org.web3j.crypto.Hash.sha3String("Note(address,uint256,uint256)"));
        return anvil.getLogs(filter).size();
    }

    private void awaitInSync() throws Exception {
        ChainCheck.await(Duration.ofSeconds(60), () -> {
            try {
                return ChainCheck.tip(url, user) == anvil.blockNumber() && count() == nodeLogCount();
            } catch (Exception e) {
                return false;
            }
        });
    }

    private long count() throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static BigInteger big(JsonNode quantity) {
        return new BigInteger(quantity.asText().substring(2), 16);
    }

    private static String hex(byte[] b) {
        return b == null ? "null" : Hex.encode(b);
    }
}
