package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.Address;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.TestPostgres;
import dev.evmindexer.testsupport.TestTokenContract;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dense blocks on a real node, indexed the way a user would start: a config with one rpc url and nothing tuned
 * (no max_block_range, no finality setting). Every block holds one transaction emitting {@value #DENSE} Transfers
 * of the indexed token and one emitting {@value #OTHER} of another token, which must stay out of the table.
 */
class DenseBackfillIT {
    static final int BLOCKS = 160;
    static final int DENSE = 300;
    static final int OTHER = 40;

    @TempDir
    Path dir;

    @Test
    void backfillWithTheDefaultConfigurationStoresEveryLogOfDenseBlocks() throws Exception {
        try (Anvil anvil = Anvil.start()) {
            List<Address> acc = anvil.accounts();
            TestTokenContract token = TestTokenContract.deploy(anvil, acc.get(0));
            TestTokenContract other = TestTokenContract.deploy(anvil, acc.get(1));
            Random random = new Random(11);
            List<Address> holders = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                byte[] a = new byte[Address.SIZE];
                random.nextBytes(a);
                holders.add(Address.of(a));
            }
            anvil.setAutomine(false);
            long firstDense = anvil.blockNumber() + 1;
            for (int b = 0; b < BLOCKS; b++) { // two transactions from two senders, mined together
                token.batch(acc.get(2), pick(holders, DENSE, random), amounts(DENSE, random));
                other.batch(acc.get(3), pick(holders, OTHER, random), amounts(OTHER, random));
                anvil.mine(1);
            }
            anvil.setAutomine(true);
            anvil.mine(70); // anvil finalizes head - 64: every dense block is below it
            long f = anvil.finalizedNumber();
            long lastDense = firstDense + BLOCKS - 1;
            assertTrue(f >= lastDense, "finalized " + f + " is past the last dense block " + lastDense);
            assertEquals(DENSE, anvil.getLogs(token.address(), lastDense, lastDense).size(), "each dense block holds "
                    + DENSE + " logs of the token (both transactions made it into one block)");
            assertEquals(OTHER, anvil.getLogs(other.address(), lastDense, lastDense).size());

            String url = TestPostgres.newDatabase();
            Path cfg = dir.resolve("indexer.yaml");
            Files.writeString(cfg, """
                    database:
                      url: "%s"
                      user: %s
                    chains:
                      - name: anvil
                        chain_id: 31337
                        rpc:
                          - %s
                    sources:
                      - name: token
                        chain: anvil
                        addresses: [%s]
                        events:
                          - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                            table: transfers
                    """.formatted(url, TestPostgres.user(), anvil.url(), token.address().hex()));
            long t0 = System.nanoTime();
            assertEquals(0, Main.execute("backfill", "--config", cfg.toString(), "--from", "0", "--to", Long.toString(f)));
            System.out.printf("DenseBackfillIT: %d rows backfilled in %.1fs%n", (long) BLOCKS * DENSE, (System.nanoTime() - t0) / 1e9);

            List<String> expected = nodeRows(anvil, token.address(), f);
            assertEquals((long) BLOCKS * DENSE, expected.size(), "the node's logs of the token up to F");
            List<String> actual = ChainCheck.dbRows(url, TestPostgres.user());
            assertEquals(expected.size(), actual.size(), "row count");
            for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), actual.get(i), "row " + i);
        }
    }

    /** The node's logs of {@code token} up to {@code f}, asked 20 blocks at a time, as ChainCheck formats rows. */
    private static List<String> nodeRows(Anvil anvil, Address token, long f) {
        List<String> out = new ArrayList<>();
        for (long from = 0; from <= f; from += 20) {
            for (JsonNode l : anvil.getLogs(token, from, Math.min(f, from + 19))) out.add(ChainCheck.row(l));
        }
        return out;
    }

    private static List<Address> pick(List<Address> holders, int n, Random random) {
        List<Address> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(holders.get(random.nextInt(holders.size())));
        return out;
    }

    /** Small, large and full-width values. */
    private static List<BigInteger> amounts(int n, Random random) {
        List<BigInteger> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(switch (i % 3) {
                case 0 -> BigInteger.valueOf(random.nextInt(1_000_000));
                case 1 -> new BigInteger(128, random);
                default -> new BigInteger(256, random);
            });
        }
        return out;
    }
}
