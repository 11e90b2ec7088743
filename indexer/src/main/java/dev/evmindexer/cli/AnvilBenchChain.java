package dev.evmindexer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.Hex;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * The chain {@code bench --anvil} indexes, served by a real anvil: {@code blocks} blocks each holding exactly one
 * transaction that makes the token emit {@code tokenLogs} ERC-20 Transfers and a second copy of the contract (a
 * token the bench does not index, so the address filter matters) emit {@code otherLogs}. The token's k-th block
 * (k from 1) holds {@code Transfer(address(0x1000 + i), address(k), k * 1000 + i)} at log index i, so
 * {@link #check} verifies every indexed row from SQL alone.
 *
 * <p>Building: anvil with {@code --no-mining}, transactions sent in JSON-RPC batches with explicit nonces, then
 * {@code anvil_mine}. anvil includes a transaction only while the block's gas used plus the transaction's gas
 * limit stays within the block gas limit. With E the estimated gas of one transaction, each gets a limit of
 * 1.25 E and blocks one of 2.2 E (for the standard recipe about 682,000 and 1,200,000): every block takes exactly
 * one (E + 1.25 E > 2.2 E), and as it uses less than half the block limit the base fee falls instead of climbing
 * out of reach of the queued transactions. The check after building proves it held: one spray's logs per block.
 *
 * <p>Caching: the state (blocks, transactions and receipts included) is dumped with {@code anvil_dumpState}
 * (gzipped JSON) into {@code <cache>/<stem>.state.gz}, next to a {@code <stem>.json} saying what was built.
 * The stem carries {@link #RECIPE_VERSION} and the shape; the JSON also the anvil version and the bytecode's
 * hash; a cache that differs in any of them is rebuilt. A served chain is loaded with {@code anvil_loadState}
 * and checked with {@code eth_getLogs}: every log of every block after a build, a sample on reuse.
 */
final class AnvilBenchChain implements AutoCloseable {
    /** Bump on any change to how the chain is built. */
    static final int RECIPE_VERSION = 2;
    static final long CHAIN_ID = 31337;
    static final long DEPLOY_GAS = 300_000;
    /** Transactions per batch (and blocks per anvil_mine): anvil's mining slows with a longer pool. */
    static final int SEND_BATCH = 10;
    static final long FIRST_BLOCK = 2; // block 1 holds the two deployments
    private static final int CHECK_RANGE = 100;
    private static final Duration BUILD_DEADLINE = Duration.ofMinutes(20);
    private static final Duration STATE_TIMEOUT = Duration.ofMinutes(10);

    record Recipe(int blocks, int tokenLogs, int otherLogs) {
        static final Recipe STANDARD = new Recipe(5_000, 200, 45);

        long tokenRows() {
            return (long) blocks * tokenLogs;
        }

        String stem() {
            return "bench-anvil-v" + RECIPE_VERSION + "-" + blocks + "x" + tokenLogs + "+" + otherLogs;
        }
    }

    /** What a cache holds, as its JSON file says. */
    record Built(String key, String token, String other, long head, String headHash, double buildSeconds) {}

    private final BenchAnvil anvil;
    private final BenchRpc rpc;
    final Recipe recipe;
    final Built built;

    private AnvilBenchChain(BenchAnvil anvil, Recipe recipe, Built built) {
        this.anvil = anvil;
        this.rpc = anvil.rpc;
        this.recipe = recipe;
        this.built = built;
    }

    String url() {
        return anvil.url;
    }

    /** Serves the recipe's chain from the cache in {@code cacheDir}, building and caching it first when needed. */
    static AnvilBenchChain serve(Path anvilBin, Path cacheDir, Recipe recipe, Path logDir, PrintWriter out)
            throws IOException {
        String key = recipe.stem() + " " + anvilVersion(anvilBin) + " bytecode " + bytecodeHash();
        Path state = cacheDir.resolve(recipe.stem() + ".state.gz");
        Path meta = cacheDir.resolve(recipe.stem() + ".json");
        Built cached = readMeta(meta);
        boolean fresh = cached == null || !cached.key().equals(key) || !Files.isRegularFile(state);
        if (fresh) {
            out.printf("bench: no cached chain for %s at %s: building it%n", key, state);
            out.flush();
            cached = build(anvilBin, recipe, key, state, meta, logDir, out);
            removeOtherVersions(cacheDir, recipe);
        }
        BenchAnvil served = BenchAnvil.start(anvilBin, List.of("--no-mining", "--no-request-size-limit"), logDir);
        try {
            long t0 = System.nanoTime();
            served.rpc.hexParamFromFile("anvil_loadState", state, STATE_TIMEOUT);
            AnvilBenchChain chain = new AnvilBenchChain(served, recipe, cached);
            out.printf("bench: anvil %s loaded %s (%.1f MB) in %.1fs%n", served.url, state, Files.size(state) / 1e6,
                    (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            long checked = fresh ? chain.checkLogs(FIRST_BLOCK, cached.head()) : chain.checkSample();
            out.printf("bench: the loaded chain answers eth_getLogs with all %d logs of %s blocks checked (%.1fs)%n",
                    checked, fresh ? "all" : "30 sampled", (System.nanoTime() - t0) / 1e9);
            return chain;
        } catch (IOException | RuntimeException e) {
            served.close();
            throw e;
        }
    }

    private static Built build(Path anvilBin, Recipe recipe, String key, Path state, Path meta, Path logDir,
            PrintWriter out) throws IOException {
        List<String> args = List.of("--no-mining", "--prune-history");
        try (BenchAnvil a = BenchAnvil.start(anvilBin, args, logDir)) {
            BenchRpc rpc = a.rpc;
            long t0 = System.nanoTime();
            String from = rpc.call("eth_accounts").get(0).asText();
            long nonce = Hex.quantity(rpc.call("eth_getTransactionCount", from, "latest").asText());
            List<JsonNode> deploys = rpc.batch(List.of(
                    BenchRpc.request(0, "eth_sendTransaction", tx(from, null, BenchTokenCode.CREATION_BYTECODE, nonce, DEPLOY_GAS)),
                    BenchRpc.request(1, "eth_sendTransaction", tx(from, null, BenchTokenCode.CREATION_BYTECODE, nonce + 1, DEPLOY_GAS))));
            rpc.call("anvil_mine", Hex.quantity(1));
            String token = contractAddress(rpc, deploys.get(0)); // answers follow the request ids: nonce, nonce + 1
            String other = contractAddress(rpc, deploys.get(1));
            nonce += 2;
            long estimate = Hex.quantity(rpc.call("eth_estimateGas",
                    tx(from, token, spray(recipe.blocks(), recipe.tokenLogs(), other, recipe.otherLogs()), nonce, 0).without("gas")).asText());
            long txGas = estimate * 5 / 4;
            rpc.call("evm_setBlockGasLimit", Hex.quantity(estimate * 11 / 5));
            long deadline = System.nanoTime() + BUILD_DEADLINE.toNanos();
            for (int k = 1; k <= recipe.blocks(); ) {
                if (System.nanoTime() > deadline) throw new IOException("building the chain took over " + BUILD_DEADLINE);
                List<ObjectNode> batch = new ArrayList<>();
                for (int i = 0; i < SEND_BATCH && k <= recipe.blocks(); i++, k++, nonce++) {
                    batch.add(BenchRpc.request(i, "eth_sendTransaction",
                            tx(from, token, spray(k, recipe.tokenLogs(), other, recipe.otherLogs()), nonce, txGas)));
                }
                rpc.batch(batch);
                rpc.call("anvil_mine", Hex.quantity(batch.size()));
                if (k % 1000 == 1) {
                    out.printf("bench: built %d of %d blocks (%.1fs)%n", k - 1, recipe.blocks(), (System.nanoTime() - t0) / 1e9);
                    out.flush();
                }
            }
            long head = Hex.quantity(rpc.call("eth_blockNumber").asText());
            JsonNode pool = rpc.call("txpool_status");
            if (head != FIRST_BLOCK - 1 + recipe.blocks() || !"0x0".equals(pool.path("pending").asText())
                    || !"0x0".equals(pool.path("queued").asText())) {
                throw new IOException("after mining, anvil's head is " + head + " (expected " + (FIRST_BLOCK - 1 + recipe.blocks())
                        + ") and its pool holds " + pool + ": a transaction was not mined one per block");
            }
            String headHash = rpc.call("eth_getBlockByNumber", Hex.quantity(head), false).get("hash").asText();
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf("bench: built %d blocks (%d token logs, %d other logs) in %.1fs%n", recipe.blocks(),
                    recipe.tokenRows(), (long) recipe.blocks() * recipe.otherLogs(), seconds);
            Files.createDirectories(state.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(state.toAbsolutePath().getParent(), state.getFileName().toString(), ".tmp");
            try {
                long d0 = System.nanoTime();
                rpc.hexResultToFile("anvil_dumpState", tmp, STATE_TIMEOUT);
                Files.move(tmp, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                out.printf("bench: dumped the state to %s (%.1f MB) in %.1fs%n", state, Files.size(state) / 1e6,
                        (System.nanoTime() - d0) / 1e9);
            } finally {
                Files.deleteIfExists(tmp);
            }
            Built built = new Built(key, token, other, head, headHash, seconds);
            Path metaTmp = Files.createTempFile(meta.toAbsolutePath().getParent(), meta.getFileName().toString(), ".tmp");
            Files.write(metaTmp, BenchRpc.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(built));
            Files.move(metaTmp, meta, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return built;
        }
    }

    static String contractAddress(BenchRpc rpc, JsonNode txHash) throws IOException {
        JsonNode receipt = rpc.call("eth_getTransactionReceipt", txHash.asText());
        if (receipt.isNull() || !"0x1".equals(receipt.path("status").asText())) {
            throw new IOException("deploying the bench token failed: " + receipt);
        }
        return receipt.get("contractAddress").asText().toLowerCase(Locale.ROOT);
    }

    static ObjectNode tx(String from, String to, String data, long nonce, long gas) {
        ObjectNode tx = BenchRpc.JSON.createObjectNode().put("from", from).put("data", data)
                .put("nonce", Hex.quantity(nonce)).put("gas", Hex.quantity(gas));
        if (to != null) tx.put("to", to);
        return tx;
    }

    /** Calldata of {@code spray(k, n, other, m)}. */
    static String spray(long k, int n, String other, int m) {
        return selector(BenchTokenCode.SPRAY_SIGNATURE) + word(BigInteger.valueOf(k)) + word(BigInteger.valueOf(n))
                + word(new BigInteger(other.substring(2), 16)) + word(BigInteger.valueOf(m));
    }

    private static String word(BigInteger v) {
        String hex = v.toString(16);
        return "0".repeat(64 - hex.length()) + hex;
    }

    private static String selector(String signature) {
        return Hex.encode(keccak(signature.getBytes(StandardCharsets.US_ASCII))).substring(0, 10);
    }

    private static byte[] keccak(byte[] in) {
        KeccakDigest d = new KeccakDigest(256);
        d.update(in, 0, in.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    private static String bytecodeHash() {
        return Hex.encode(keccak(BenchTokenCode.CREATION_BYTECODE.getBytes(StandardCharsets.US_ASCII))).substring(2, 14);
    }

    /** Counts and checks every log of both contracts in {@code [from, to]}; returns how many there were. */
    long checkLogs(long from, long to) throws IOException {
        long total = 0;
        for (long first = from; first <= to; first += CHECK_RANGE) {
            long start = first;
            long end = Math.min(to, start + CHECK_RANGE - 1);
            int size = (int) (end - start + 1);
            int[] tokenCount = new int[size];
            int[] otherCount = new int[size];
            List<String> bad = new ArrayList<>();
            ObjectNode filter = BenchRpc.JSON.createObjectNode().put("fromBlock", Hex.quantity(start)).put("toBlock", Hex.quantity(end));
            filter.putArray("address").add(built.token()).add(built.other());
            total += rpc.logs(filter, l -> {
                int at = (int) (l.blockNumber() - start);
                long k = l.blockNumber() - FIRST_BLOCK + 1;
                boolean ofToken = built.token().equalsIgnoreCase(l.address());
                if (bad.size() >= 5) return;
                if (at < 0 || at >= size) bad.add("a log of block " + l.blockNumber() + " in an answer for " + start + ".." + end);
                else if (ofToken) tokenCount[at]++;
                else otherCount[at]++;
                if (ofToken && !new BigInteger(l.data().substring(2), 16).divide(BigInteger.valueOf(1000)).equals(BigInteger.valueOf(k))) {
                    bad.add("block " + l.blockNumber() + " has a token log of value " + new BigInteger(l.data().substring(2), 16));
                }
            });
            for (int i = 0; i < size && bad.size() < 5; i++) {
                if (tokenCount[i] != recipe.tokenLogs() || otherCount[i] != recipe.otherLogs()) {
                    bad.add("block " + (start + i) + " has " + tokenCount[i] + " token and " + otherCount[i] + " other logs, expected "
                            + recipe.tokenLogs() + " and " + recipe.otherLogs());
                }
            }
            if (!bad.isEmpty()) throw new IOException("anvil at " + url() + " does not hold the chain it was built with: " + bad);
        }
        return total;
    }

    /** The head's hash as built, and every log of ten blocks at the start, middle and end. */
    private long checkSample() throws IOException {
        JsonNode head = rpc.call("eth_getBlockByNumber", Hex.quantity(built.head()), false);
        if (head.isNull() || !built.headHash().equals(head.get("hash").asText())) {
            throw new IOException("the loaded chain's block " + built.head() + " is " + head + ", not " + built.headHash());
        }
        long mid = (FIRST_BLOCK + built.head()) / 2;
        return checkLogs(FIRST_BLOCK, FIRST_BLOCK + 9) + checkLogs(mid, mid + 9) + checkLogs(built.head() - 9, built.head());
    }

    /**
     * Checks an indexed ERC-20 Transfer table (standard columns plus {@code from}, {@code to}, {@code value})
     * against the recipe: exactly the token's rows, each with the block, log index, sender, recipient and value
     * it was built with. Empty when it matches, otherwise what differs.
     */
    String check(Connection c, String table) throws java.sql.SQLException {
        long rows = recipe.tokenRows();
        String sql = """
                SELECT count(*), count(*) FILTER (WHERE address <> decode('%s', 'hex')),
                  count(*) FILTER (WHERE value <> (block_number - %d + 1) * 1000 + log_index
                    OR "to" <> decode(lpad(to_hex(block_number - %d + 1), 40, '0'), 'hex')
                    OR "from" <> decode(lpad(to_hex(4096 + log_index), 40, '0'), 'hex')
                    OR log_index >= %d OR block_number < %d OR block_number > %d),
                  count(DISTINCT block_number), coalesce(sum(value), 0)
                FROM %s""".formatted(built.token().substring(2), FIRST_BLOCK, FIRST_BLOCK, recipe.tokenLogs(),
                FIRST_BLOCK, FIRST_BLOCK - 1 + recipe.blocks(), table);
        BigInteger b = BigInteger.valueOf(recipe.blocks());
        BigInteger n = BigInteger.valueOf(recipe.tokenLogs());
        BigInteger expectedSum = b.multiply(b.add(BigInteger.ONE)).divide(BigInteger.TWO).multiply(n).multiply(BigInteger.valueOf(1000))
                .add(n.multiply(n.subtract(BigInteger.ONE)).divide(BigInteger.TWO).multiply(b));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            List<String> wrong = new ArrayList<>();
            if (rs.getLong(1) != rows) wrong.add("expected " + rows + " rows, table has " + rs.getLong(1));
            if (rs.getLong(2) != 0) wrong.add(rs.getLong(2) + " rows of another contract");
            if (rs.getLong(3) != 0) wrong.add(rs.getLong(3) + " rows whose block, log index, from, to or value differ from the chain's");
            if (rs.getLong(4) != recipe.blocks()) wrong.add("rows in " + rs.getLong(4) + " blocks, expected " + recipe.blocks());
            if (!rs.getBigDecimal(5).toBigInteger().equals(expectedSum)) wrong.add("sum(value) " + rs.getBigDecimal(5) + ", expected " + expectedSum);
            return String.join("; ", wrong);
        }
    }

    /** Deletes the caches of other recipe versions of this shape (each is tens of MB). */
    private static void removeOtherVersions(Path cacheDir, Recipe recipe) throws IOException {
        String shape = recipe.stem().substring(recipe.stem().indexOf('-', "bench-anvil-v".length()));
        try (var files = Files.list(cacheDir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("bench-anvil-v") && name.contains(shape + ".") && !name.startsWith(recipe.stem() + ".")) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static Built readMeta(Path meta) {
        try {
            return Files.isRegularFile(meta) ? BenchRpc.JSON.readValue(meta.toFile(), Built.class) : null;
        } catch (IOException unreadable) {
            return null; // rebuilt
        }
    }

    private static String anvilVersion(Path bin) throws IOException {
        Process p = new ProcessBuilder(bin.toString(), "--version").redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(bin + " --version did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + bin + " --version", e);
        }
        String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        if (p.exitValue() != 0 || !first.contains("anvil")) throw new IOException(bin + " --version answered: " + first);
        return first.replaceFirst("(?i)version:\\s*", "").strip(); // "anvil 1.7.1"
    }

    @Override
    public void close() {
        anvil.close();
    }
}
