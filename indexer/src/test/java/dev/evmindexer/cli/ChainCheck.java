package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.testsupport.Anvil;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Compares an indexed table with the node's canonical logs, row by row. */
final class ChainCheck {
    private ChainCheck() {}

    /** A config file for one anvil chain and one ERC-20 Transfer table. */
    static Path config(Path dir, String dbUrl, String user, Anvil anvil, Address token, String finality) throws Exception {
        return config(dir, dbUrl, user, anvil, finality, """
                  - name: token
                    chain: anvil
                    addresses: [%s]
                    start_block: 0
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: transfers
                """.formatted(token.hex()));
    }

    /** A config file {@code indexer.yaml} for one anvil chain with these {@code sources:} entries (list items indented by two). */
    static Path config(Path dir, String dbUrl, String user, Anvil anvil, String finality, String sources) throws Exception {
        String yaml = """
                database:
                  url: "%s"
                  user: %s
                chains:
                  - name: anvil
                    chain_id: 31337
                    rpc:
                      - url: %s
                    finality: %s
                    poll_interval: 100ms
                ops: {port: 0}
                sources:
                %s""".formatted(dbUrl, user, anvil.url(), finality, sources);
        Path file = dir.resolve("indexer.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** The canonical ERC-20 transfers (three topics) of {@code token}, as comparable lines. */
    static List<String> nodeRows(Anvil anvil, Address token) {
        long head = anvil.blockNumber();
        List<String> out = new ArrayList<>();
        for (JsonNode l : anvil.getLogs(token, 0, head)) {
            if (l.get("topics").size() != 3) continue; // ERC-721 style Transfer: not this table's shape
            out.add(row(l));
        }
        return out;
    }

    /** One node log of an ERC-20 Transfer as a comparable line, the same shape as {@link #dbRows}. */
    static String row(JsonNode l) {
        return Hex.quantity(l.get("blockNumber").asText()) + "/" + Hex.quantity(l.get("logIndex").asText())
                + " " + l.get("blockHash").asText() + " " + l.get("transactionHash").asText() + " "
                + Hex.quantity(l.get("transactionIndex").asText()) + " " + l.get("address").asText()
                + " 0x" + l.get("topics").get(1).asText().substring(26) + " 0x" + l.get("topics").get(2).asText().substring(26)
                + " " + new BigInteger(l.get("data").asText().substring(2), 16);
    }

    static List<String> dbRows(String url, String user) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT block_number, log_index, block_hash, tx_hash, tx_index, address, "
                        + "\"from\", \"to\", value FROM transfers ORDER BY block_number, log_index")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getLong(1) + "/" + rs.getLong(2) + " " + Hex.encode(rs.getBytes(3)) + " " + Hex.encode(rs.getBytes(4))
                        + " " + rs.getInt(5) + " " + Hex.encode(rs.getBytes(6)) + " " + Hex.encode(rs.getBytes(7)) + " "
                        + Hex.encode(rs.getBytes(8)) + " " + rs.getBigDecimal(9).toBigIntegerExact());
            }
            return out;
        }
    }

    static long tip(String url, String user) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(max(block_number), -1) FROM indexer.headers WHERE chain_id = 31337")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) return -1; // not migrated yet
            throw e;
        }
    }

    /** Waits until the stored tip is the node's head with the node's hash, then compares every row. */
    static void awaitInSync(Anvil anvil, Address token, String url, String user) throws Exception {
        try {
            await(Duration.ofSeconds(60), () -> {
            try {
                long head = anvil.blockNumber();
                return tip(url, user) == head && storedHash(url, user, head).equals(anvil.blockHash(head).hex())
                        && dbRows(url, user).equals(nodeRows(anvil, token));
            } catch (SQLException e) {
                return false;
            }
            });
        } catch (AssertionError timedOut) {
            // fall through: the comparisons below say what differs
        }
        assertEquals(nodeRows(anvil, token), dbRows(url, user), "table equals the node's canonical logs");
        assertEquals(anvil.blockNumber(), tip(url, user), "stored tip is the node's head");
    }

    static String storedHash(String url, String user, long n) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT block_hash FROM indexer.headers WHERE chain_id = 31337 AND block_number = " + n)) {
            return rs.next() ? Hex.encode(rs.getBytes(1)) : "";
        }
    }

    static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within " + timeout);
            Thread.sleep(100);
        }
    }
}
