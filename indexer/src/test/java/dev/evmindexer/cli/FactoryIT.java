package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.JsonRpcClient;
import dev.evmindexer.testsupport.Solc;
import dev.evmindexer.testsupport.TestPostgres;
import dev.evmindexer.testsupport.TxSpec;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Uint256;

/**
 * Factories against a real anvil and PostgreSQL: {@code contracts/Factory.sol}'s PairFactory creates pairs in many
 * blocks (each swapping in its creation transaction) while the pairs swap, below and above the finalized block; a pair
 * deployed outside the factory swaps too and must not be indexed; a reorg removes a pair's creation, and with it the
 * pair and its rows. After each change the child table equals {@code eth_getLogs} over the canonical children, each from
 * its creation block, and {@code verify} finds it equal.
 */
class FactoryIT {
    private static final String SWAP_TOPIC = org.web3j.crypto.Hash.sha3String("Swap(address,uint256)");
    private static final String CREATED_TOPIC = org.web3j.crypto.Hash.sha3String("PairCreated(address,address,address,uint256)");

    @TempDir
    Path dir;

    private Anvil anvil;
    private Address factory;
    private Address decoy;
    private Address sender;
    private final String user = TestPostgres.user();
    private String url;
    private int seq;

    @BeforeEach
    void start() {
        anvil = Anvil.start();
        sender = anvil.accounts().get(0);
        anvil.mine(3); // the factory's start block is above 0: its children are only known from it on
        factory = anvil.deploy(sender, Solc.compileResource("contracts/Factory.sol", "PairFactory").bytecode());
        decoy = anvil.deploy(sender, Solc.compileResource("contracts/Factory.sol", "Pair").bytecode());
        url = TestPostgres.newDatabase();
    }

    @AfterEach
    void stop() {
        anvil.close();
    }

    private static String call(String function, long arg) {
        return FunctionEncoder.encode(new Function(function, List.of(new Uint256(BigInteger.valueOf(arg))), List.of()));
    }

    /** A pair created (swapping twice in its creation transaction), every pair swapping, the decoy swapping. */
    private void traffic(int blocks) {
        seq++;
        anvil.sendTransaction(sender, factory, call("create", 2));
        anvil.sendTransaction(sender, factory, call("swapAll", seq * 100L));
        anvil.sendTransaction(sender, decoy, call("swap", seq));
        if (blocks > 0) anvil.mine(blocks);
    }

    private Path config() throws Exception {
        return ChainCheck.config(dir, url, user, anvil, "12", """
                  - name: pairs
                    chain: anvil
                    addresses: {factory: factory, event: PairCreated, parameter: pair}
                    events:
                      - signature: "event Swap(address indexed sender, uint256 amount)"
                        table: swaps
                  - name: factory
                    chain: anvil
                    addresses: [%s]
                    start_block: 3
                    events:
                      - signature: "event PairCreated(address indexed token0, address indexed token1, address pair, uint256 n)"
                        table: pairs_created
                """.formatted(factory.hex()));
    }

    /** The canonical children: each pair the factory's PairCreated logs name, with the block that created it. */
    private Map<String, Long> canonicalChildren() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (JsonNode l : anvil.getLogs(filter(List.of(factory.hex()), CREATED_TOPIC, 0))) {
            out.putIfAbsent("0x" + l.get("data").asText().substring(2 + 24, 2 + 64), Hex.quantity(l.get("blockNumber").asText()));
        }
        return out;
    }

    private ObjectNode filter(List<String> addresses, String topic0, long from) {
        ObjectNode f = JsonRpcClient.JSON.createObjectNode();
        var a = f.putArray("address");
        addresses.forEach(a::add);
        f.putArray("topics").add(topic0);
        f.put("fromBlock", Hex.quantity(from));
        f.put("toBlock", Hex.quantity(anvil.blockNumber()));
        return f;
    }

    /** {@code eth_getLogs} of Swap over the canonical children, each kept from its creation block on. */
    private List<String> nodeSwaps() {
        Map<String, Long> children = canonicalChildren();
        List<String> out = new ArrayList<>();
        if (children.isEmpty()) return out;
        for (JsonNode l : anvil.getLogs(filter(List.copyOf(children.keySet()), SWAP_TOPIC, 0))) {
            long block = Hex.quantity(l.get("blockNumber").asText());
            if (block < children.get(l.get("address").asText())) continue;
            out.add(block + "/" + Hex.quantity(l.get("logIndex").asText()) + " " + l.get("blockHash").asText() + " "
                    + l.get("address").asText() + " " + new BigInteger(l.get("data").asText().substring(2), 16));
        }
        return out;
    }

    private List<String> dbSwaps() throws SQLException {
        return query("SELECT block_number, log_index, block_hash, address, amount FROM swaps ORDER BY 1, 2", rs ->
                rs.getLong(1) + "/" + rs.getLong(2) + " " + Hex.encode(rs.getBytes(3)) + " " + Hex.encode(rs.getBytes(4)) + " "
                        + rs.getBigDecimal(5).toBigIntegerExact());
    }

    private Map<String, Long> dbChildren() throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String s : query("SELECT child, min(block_number) FROM indexer.factory_children GROUP BY child ORDER BY 2, 1",
                rs -> Hex.encode(rs.getBytes(1)) + " " + rs.getLong(2))) {
            out.put(s.substring(0, s.indexOf(' ')), Long.parseLong(s.substring(s.indexOf(' ') + 1)));
        }
        return out;
    }

    private interface Row {
        String read(ResultSet rs) throws SQLException;
    }

    private List<String> query(String sql, Row row) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) out.add(row.read(rs));
            return out;
        }
    }

    /** Waits until the stored tip is the node's head and the child table and children equal the node's, then asserts it. */
    private void sync() throws Exception {
        try {
            ChainCheck.await(Duration.ofSeconds(60), () -> {
                try {
                    long head = anvil.blockNumber();
                    return ChainCheck.tip(url, user) == head && ChainCheck.storedHash(url, user, head).equals(anvil.blockHash(head).hex())
                            && dbSwaps().equals(nodeSwaps()) && dbChildren().equals(canonicalChildren());
                } catch (SQLException e) {
                    return false;
                }
            });
        } catch (AssertionError timedOut) {
            // the comparisons below say what differs
        }
        assertEquals(canonicalChildren(), dbChildren(), "children are the factory's canonical PairCreated pairs");
        assertEquals(nodeSwaps(), dbSwaps(), "the child table equals eth_getLogs over the canonical children");
        assertEquals(anvil.blockNumber(), ChainCheck.tip(url, user));
    }

    @Test
    void childrenCreatedInManyBlocksAreFollowedThroughBothPhasesAndAReorgTakesOneAway() throws Exception {
        for (int i = 0; i < 8; i++) traffic(3); // 8 pairs over ~40 blocks: with finality 12, most by ranges
        Path cfg = config();
        Daemon[] d = new Daemon[1];
        try (Wiring w = Wiring.load(cfg)) {
            w.openDatabase("factory test");
            d[0] = RunCommand.start(w);
            sync();
            assertEquals(8, dbChildren().size());
            assertFalse(nodeSwaps().isEmpty());

            for (int i = 0; i < 3; i++) traffic(1); // pairs created at the tip, swapping in their creation transaction
            sync();
            assertEquals(11, dbChildren().size());

            // a pair created at the tip, then a reorg replaces its block: the pair, its creation and its swaps go
            traffic(0);
            anvil.mine(1);
            sync();
            Map<String, Long> before = canonicalChildren();
            String gone = List.copyOf(before.keySet()).get(before.size() - 1);
            assertTrue(dbSwaps().stream().anyMatch(r -> r.contains(gone)), "the last pair's swaps are indexed");
            long created = before.get(gone);
            int depth = (int) (anvil.blockNumber() - created + 1);
            anvil.reorg(depth, List.of(new TxSpec(sender, factory, call("swapAll", 7), 0, 3_000_000)));
            assertFalse(canonicalChildren().containsKey(gone), "the reorg removed the pair's creation");
            sync();
            assertFalse(dbChildren().containsKey(gone), "the pair is no longer a child");
            assertTrue(dbSwaps().stream().noneMatch(r -> r.contains(gone)), "nor are its swaps stored");
            assertTrue(d[0].loops().get(0).status().reorgs.get() >= 1);

            traffic(14); // F passes the tip-written blocks; a new pair again (CREATE gives it the removed pair's address)
            sync();
            assertEquals(0, d[0].loops().get(0).status().errors.get(), "no step failed");
            assertEquals(0, Main.execute("verify", "--config", cfg.toString(), "--from", "0", "--to",
                    Long.toString(anvil.blockNumber())), "verify compares the child table with the canonical children");
            java.io.StringWriter out = new java.io.StringWriter();
            assertEquals(0, Main.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
                    "status", "--config", cfg.toString()));
            assertTrue(out.toString().contains("    children of public.pairs_created.pair: " + canonicalChildren().size()
                    + ", the last created in block " + java.util.Collections.max(canonicalChildren().values())), out.toString());
            java.io.StringWriter schema = new java.io.StringWriter();
            assertEquals(0, Main.execute(new java.io.PrintWriter(schema, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
                    "schema", "--config", cfg.toString()));
            assertTrue(schema.toString().contains("-- contracts: the children of public.pairs_created.pair"), schema.toString());
        } finally {
            if (d[0] != null) d[0].close();
        }
    }
}
