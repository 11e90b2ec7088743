package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evmindexer.abi.Keccak;
import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.Solc;
import dev.evmindexer.testsupport.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ABI type family end to end: {@code contracts/AllTypes.sol} on a real anvil emits a struct, an
 * array of structs, nested and ragged arrays, indexed string/struct/array and an anonymous event; the
 * real daemon indexes its compiled ABI (as a Foundry-style artifact, {@code events: all}) into
 * PostgreSQL, and every column is compared with the literals the contract emitted.
 */
class AbiTypesIT {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);

    @TempDir
    Path dir;

    @Test
    void everyTypeFamilyLandsInTypedColumns() throws Exception {
        String url = TestPostgres.newDatabase();
        String user = TestPostgres.user();
        try (Anvil anvil = Anvil.start()) {
            Solc.Contract compiled = Solc.compileResource("contracts/AllTypes.sol", "AllTypes");
            Address from = anvil.accounts().get(0);
            Address contract = anvil.deploy(from, compiled.bytecode());
            Files.writeString(dir.resolve("AllTypes.json"), "{\"abi\": " + compiled.abi() + "}");
            Hash tx = anvil.sendTransaction(from, contract, "0x" + Hex.encode(Keccak.keccak256("emitAll()".getBytes(StandardCharsets.UTF_8))).substring(2, 10));
            JsonNode receipt = anvil.receipt(tx);
            anvil.mine(3);
            Path config = dir.resolve("indexer.yaml");
            Files.writeString(config, """
                    database:
                      url: "%s"
                      user: %s
                    chains:
                      - name: anvil
                        chain_id: 31337
                        rpc:
                          - url: %s
                        finality: 2
                        poll_interval: 100ms
                    sources:
                      - name: all_types
                        chain: anvil
                        addresses: [%s]
                        abi: AllTypes.json
                        events: all
                        table_pattern: "t_{event}"
                    """.formatted(url, user, anvil.url(), contract.hex()));

            PrintStream out = System.out;
            ByteArrayOutputStream schema = new ByteArrayOutputStream();
            System.setOut(new PrintStream(schema, true, StandardCharsets.UTF_8));
            try {
                assertEquals(0, Main.execute("schema", "--config", config.toString()));
            } finally {
                System.setOut(out);
            }
            String ddl = schema.toString(StandardCharsets.UTF_8);
            for (String column : List.of("\"legs\" jsonb", "\"grid\" int8[][]", "\"order_price_fee_bps\" int8", "\"order_hash\" bytea",
                    "\"ids\" numeric(78,0)[]", "\"tags\" text[]", "\"ragged\" jsonb")) {
                assertEquals(true, ddl.contains(column), "schema prints " + column + ":\n" + ddl);
            }

            Daemon daemon = null;
            try (Wiring w = Wiring.load(config)) {
                w.openDatabase("abi types test");
                daemon = RunCommand.start(w);
                ChainCheck.await(Duration.ofSeconds(60), () -> rows(url, user, "t_ping") == 1 && rows(url, user, "t_elementary") == 1
                        && rows(url, user, "t_filled") == 1 && rows(url, user, "t_indexed_refs") == 1);
            } finally {
                if (daemon != null) daemon.close();
            }

            try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement()) {
                elementary(s, contract, tx);
                filled(s);
                indexedRefs(s, receipt);
                try (ResultSet rs = s.executeQuery("SELECT n, note, address FROM t_ping")) {
                    rs.next();
                    assertEquals(BigInteger.valueOf(42), rs.getBigDecimal(1).toBigIntegerExact());
                    assertEquals("anonymous", rs.getString(2));
                    assertEquals(contract.hex(), Hex.encode(rs.getBytes(3)));
                }
            }
        }
    }

    private static void elementary(Statement s, Address contract, Hash tx) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT who, small, signed64, u64, min_int, max_uint, flag, sel, blob, text, tx_hash, address"
                + " FROM t_elementary")) {
            rs.next();
            assertEquals("0x000000000000000000000000000000000000beef", Hex.encode(rs.getBytes("who")));
            assertEquals(255, rs.getLong("small"));
            assertEquals(Long.MIN_VALUE, rs.getLong("signed64"));
            assertEquals(BigInteger.TWO.pow(64).subtract(BigInteger.ONE), rs.getBigDecimal("u64").toBigIntegerExact());
            assertEquals(BigInteger.TWO.pow(255).negate(), rs.getBigDecimal("min_int").toBigIntegerExact());
            assertEquals(UINT256_MAX, rs.getBigDecimal("max_uint").toBigIntegerExact());
            assertEquals(true, rs.getBoolean("flag"));
            assertEquals("0xdeadbeef", Hex.encode(rs.getBytes("sel")));
            assertEquals("0x00ff10", Hex.encode(rs.getBytes("blob")));
            assertEquals("héllo \"world\"", rs.getString("text"));
            assertEquals(tx.hex(), Hex.encode(rs.getBytes("tx_hash")));
            assertEquals(contract.hex(), Hex.encode(rs.getBytes("address")));
        }
    }

    private static void filled(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT order_maker, order_price_amount, order_price_fee_bps, order_memo, legs::text,"
                + " ids, grid, tags, ragged::text, (legs->1->>'amount')::numeric FROM t_filled")) {
            rs.next();
            assertEquals("0x000000000000000000000000000000000000cafe", Hex.encode(rs.getBytes(1)));
            assertEquals(BigInteger.TEN.pow(30), rs.getBigDecimal(2).toBigIntegerExact());
            assertEquals(250, rs.getLong(3));
            assertEquals("first order", rs.getString(4));
            BigInteger int256Max = BigInteger.TWO.pow(255).subtract(BigInteger.ONE);
            assertEquals(JSON.readTree("[{\"kind\":1,\"amount\":-5,\"note\":\"a\"},{\"kind\":2,\"amount\":" + int256Max + ",\"note\":\"bé\"}]"),
                    JSON.readTree(rs.getString(5)));
            assertArrayEquals(new BigDecimal[] {BigDecimal.ONE, new BigDecimal(BigInteger.TWO.pow(200)), new BigDecimal(UINT256_MAX)},
                    (BigDecimal[]) rs.getArray(6).getArray());
            assertArrayEquals(new Long[][] {{-1L, 2L}, {Long.MAX_VALUE, Long.MIN_VALUE}}, (Long[][]) rs.getArray(7).getArray());
            assertArrayEquals(new String[] {"x,y", "{\"q\"}"}, (String[]) rs.getArray(8).getArray());
            assertEquals(JSON.readTree("[[7],[]]"), JSON.readTree(rs.getString(9)));
            assertEquals(int256Max, rs.getBigDecimal(10).toBigIntegerExact(), "jsonb numbers are exact");
        }
    }

    private static void indexedRefs(Statement s, JsonNode receipt) throws SQLException {
        JsonNode log = receipt.get("logs").get(2);
        try (ResultSet rs = s.executeQuery("SELECT name_hash, order_hash, pair_hash, x FROM t_indexed_refs")) {
            rs.next();
            assertEquals(Hex.encode(Keccak.keccak256("indexed name".getBytes(StandardCharsets.UTF_8))), Hex.encode(rs.getBytes(1)));
            assertEquals(log.get("topics").get(2).asText(), Hex.encode(rs.getBytes(2)));
            byte[] pair = new byte[64];
            pair[31] = 3;
            pair[63] = 4;
            assertEquals(Hex.encode(Keccak.keccak256(pair)), Hex.encode(rs.getBytes(3)), "a static array's topic is keccak256 of its encoding");
            assertEquals(9, rs.getLong(4));
        }
    }

    private static long rows(String url, String user, String table) {
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1; // not created yet
        }
    }
}
