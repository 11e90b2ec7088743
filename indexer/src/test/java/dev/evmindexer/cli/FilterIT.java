package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.eth.Address;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.TestPostgres;
import dev.evmindexer.testsupport.TestTokenContract;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameter filters and end_block against anvil, through both phases: a filtered table equals the unfiltered
 * table filtered in SQL, and a table with end_block holds nothing above it while the daemon runs past it.
 */
class FilterIT {
    @TempDir
    Path dir;

    private final String user = TestPostgres.user();

    @Test
    void filteredTablesEqualTheUnfilteredTableFilteredInSqlAndEndBlockStopsATable() throws Exception {
        try (Anvil anvil = Anvil.start()) {
            TestTokenContract token = TestTokenContract.deploy(anvil);
            List<Address> acc = anvil.accounts();
            for (int i = 0; i < 40; i++) traffic(anvil, token, acc, i); // ~120 blocks: anvil finalizes head - 64
            long end = anvil.blockNumber() + 6; // crossed at the tip, while the daemon runs
            String url = TestPostgres.newDatabase();
            Path config = config(url, anvil, token.address(), acc, end);
            Daemon daemon = null;
            try (Wiring w = Wiring.load(config)) {
                w.openDatabase("test daemon");
                daemon = RunCommand.start(w);
                for (int i = 40; i < 50; i++) traffic(anvil, token, acc, i);
                ChainCheck.awaitInSync(anvil, token.address(), url, user);
                assertTrue(ChainCheck.tip(url, user) > end + 10, "the daemon ran past end_block");

                String to = "\"to\" IN ('\\x" + acc.get(1).hex().substring(2) + "', '\\x" + acc.get(3).hex().substring(2) + "')";
                List<String> byTo = rows(url, "transfers WHERE " + to);
                assertTrue(byTo.size() > 50 && byTo.size() < rows(url, "transfers").size(), "the filter keeps some rows: " + byTo.size());
                assertEquals(byTo, rows(url, "to_wallets"), "indexed filter (topics pushed down)");
                List<String> byValue = rows(url, "transfers WHERE value IN (7, 12)");
                assertEquals(2, byValue.size());
                assertEquals(byValue, rows(url, "some_values"), "data filter (decoded side)");
                List<String> early = rows(url, "transfers WHERE block_number <= " + end);
                assertTrue(early.size() < rows(url, "transfers").size());
                assertEquals(early, rows(url, "early"), "nothing above end_block");

                anvil.mine(70); // F passes end_block: the finished table is final up to it
                traffic(anvil, token, acc, 50);
                ChainCheck.awaitInSync(anvil, token.address(), url, user);
                assertTrue(w.store.chain(31337).finalized() > end);
                // the tip phase covers the blocks it passes for every table (with no rows above end_block here)
                long through = Long.parseLong(query(url, "SELECT indexer.finalized_through('public', 'early')").get(0));
                assertTrue(through >= end, "final at least up to end_block: " + through);
                assertEquals(early, rows(url, "early"));
                assertEquals(early, rows(url, "early_finalized"), "the _finalized view holds every row");
            } finally {
                if (daemon != null) daemon.close();
            }
        }
    }

    /** Three transfers (to accounts 1, 2, 3, values i, 1000 + i, 2000 + i) in one block, then two empty blocks. */
    private static void traffic(Anvil anvil, TestTokenContract token, List<Address> acc, int i) {
        token.batch(token.deployer(), List.of(acc.get(1), acc.get(2), acc.get(3)),
                List.of(BigInteger.valueOf(i), BigInteger.valueOf(1000 + i), BigInteger.valueOf(2000 + i)));
        anvil.mine(2);
    }

    private Path config(String url, Anvil anvil, Address token, List<Address> acc, long end) throws Exception {
        String event = "signature: \"event Transfer(address indexed from, address indexed to, uint256 value)\"";
        String sources = """
                  - name: token
                    chain: anvil
                    addresses: [%s]
                    events:
                      - %s
                        table: transfers
                      - %s
                        table: to_wallets
                        filter: {to: [%s, %s]}
                      - %s
                        table: some_values
                        filter:
                          value: [7, 12]
                  - name: token_until
                    chain: anvil
                    addresses: [%s]
                    end_block: %d
                    events:
                      - %s
                        table: early
                """.formatted(token.hex(), event, event, acc.get(1).hex(), acc.get(3).hex(), event, token.hex(), end, event);
        return ChainCheck.config(dir, url, TestPostgres.user(), anvil, "finalized", sources);
    }

    private List<String> rows(String url, String fromWhere) throws Exception {
        return query(url, "SELECT block_number || '/' || log_index || ' ' || encode(\"to\", 'hex') || ' ' || value FROM "
                + fromWhere + " ORDER BY block_number, log_index");
    }

    private List<String> query(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) out.add(rs.getString(1));
            return out;
        }
    }
}
