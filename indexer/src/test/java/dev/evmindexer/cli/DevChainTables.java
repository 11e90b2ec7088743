package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.Set;

/** A config indexing a devchain's token transfers into {@code transfers}, and the check of that table against it. */
final class DevChainTables {
    private DevChainTables() {}

    /** {@code dir/indexer.yaml} for chain {@code dev} (id 1337, finality 0); {@code rpcExtra}: lines of the rpc entry. */
    static Path config(Path dir, String dbUrl, String user, String rpcUrl, String rpcExtra) throws Exception {
        Path cfg = dir.resolve("indexer.yaml");
        Files.writeString(cfg, """
                database:
                  url: "%s"
                  user: %s
                chains:
                  - name: dev
                    chain_id: 1337
                    rpc:
                      - url: %s
                %s    finality: 0
                sources:
                  - name: tokens
                    chain: dev
                    addresses: [%s]
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: transfers
                """.formatted(dbUrl, user, rpcUrl, rpcExtra,
                String.join(", ", DevChain.TOKENS.stream().map(Address::hex).toList())));
        return cfg;
    }

    /** Asserts {@code transfers} holds exactly the chain's canonical token transfers: no gap, no duplicate. */
    static void assertEqualsChain(String url, String user, DevChain chain) throws Exception {
        Set<String> expected = canonicalTransfers(chain, chain.head());
        Set<String> actual = new HashSet<>();
        try (Connection c = DriverManager.getConnection(url, user, null); ResultSet rs = c.createStatement()
                .executeQuery("SELECT block_number, log_index, block_hash FROM transfers")) {
            while (rs.next()) {
                assertTrue(actual.add(rs.getLong(1) + "/" + rs.getInt(2) + "/" + Hex.encode(rs.getBytes(3))), "duplicate row");
            }
        }
        assertEquals(expected.size(), actual.size(), "rows");
        assertEquals(expected, actual);
    }

    /** The chain's canonical token transfers up to block {@code through}, as {@code block/logIndex/blockHash}. */
    static Set<String> canonicalTransfers(DevChain chain, long through) {
        Set<String> out = new HashSet<>();
        long last = Math.min(chain.head(), through);
        for (long from = 0; from <= last; from += 500) {
            for (var l : chain.logs(from, Math.min(last, from + 499))) {
                if (DevChain.TOKENS.contains(l.address()) && l.topics().size() == 3
                        && l.topics().get(0).equals(DevChain.TRANSFER_TOPIC)) {
                    out.add(l.blockNumber() + "/" + l.logIndex() + "/" + l.blockHash());
                }
            }
        }
        return out;
    }
}
