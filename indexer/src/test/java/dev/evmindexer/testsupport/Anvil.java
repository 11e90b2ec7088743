package dev.evmindexer.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real anvil node in a child process, on a free loopback port, for integration tests. Start it with
 * {@link #start()}, use it, close it (try-with-resources): closing kills the process and its children; a JVM
 * shutdown hook does the same if a test run dies before closing.
 *
 * <p>anvil behaviour the tests rely on (1.7.1): chain id 31337; automine by default (every transaction is
 * mined in its own block before {@code eth_sendTransaction} returns); the {@code finalized} tag is
 * {@code max(0, head - 64)} and {@code safe} is {@code max(0, head - 32)}; {@code anvil_reorg} keeps the head
 * height and replaces the top {@code depth} blocks; {@code anvil_rollback} removes them.
 */
public final class Anvil implements AutoCloseable {
    public static final long CHAIN_ID = 31337;

    private static final String HOST = "127.0.0.1";
    private static final int START_ATTEMPTS = 5;
    private static final Duration STARTUP_DEADLINE = Duration.ofSeconds(60);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final Process process;
    private final int port;
    private final Path logFile;
    private final JsonRpcClient rpc;
    private final Thread killOnExit;

    private Anvil(Process process, int port, Path logFile, JsonRpcClient rpc) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.rpc = rpc;
        this.killOnExit = new Thread(this::kill, "anvil-" + port + "-shutdown");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts anvil with its defaults (automine, 10 funded dev accounts). */
    public static Anvil start() {
        return start(List.of());
    }

    /**
     * Starts anvil with extra command-line arguments (e.g. {@code --block-time 1}); {@code --host} and
     * {@code --port} are chosen here and must not be among them. Output goes to {@code target/anvil-<port>.log}.
     */
    public static Anvil start(List<String> extraArgs) {
        for (String arg : extraArgs) {
            if (arg.equals("--port") || arg.equals("-p") || arg.startsWith("--port=") || arg.startsWith("--host")) {
                throw new IllegalArgumentException("Anvil.start picks host and port itself; remove " + arg);
            }
        }
        Path binary = Tools.anvil();
        Path logDir = Path.of(System.getProperty("user.dir"), "target");
        String lastFailure = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            Path log = logDir.resolve("anvil-" + port + ".log");
            Process process = launch(binary, port, extraArgs, log);
            JsonRpcClient client = new JsonRpcClient(URI.create("http://" + HOST + ":" + port));
            if (awaitReady(process, client, log)) {
                Anvil anvil = new Anvil(process, port, log, client);
                long chainId = anvil.chainId();
                if (chainId != CHAIN_ID && !extraArgs.contains("--chain-id")) {
                    anvil.close();
                    throw new IllegalStateException("anvil answered chain id " + chainId + ", expected " + CHAIN_ID);
                }
                return anvil;
            }
            // The process exited: most likely another process took the port between our probe and anvil's bind.
            lastFailure = tail(log);
            if (!lastFailure.contains("in use")) break;
        }
        throw new IllegalStateException("anvil (" + binary + ") did not start; last output:\n" + lastFailure);
    }

    private static Process launch(Path binary, int port, List<String> extraArgs, Path log) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--host", HOST, "--port", Integer.toString(port)));
        command.addAll(extraArgs);
        try {
            Files.createDirectories(log.getParent());
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Polls {@code eth_chainId} until it answers (true) or the process exits (false). A process that neither
     * answers nor exits before the deadline is killed and reported: a start-up hang, not a test outcome.
     */
    private static boolean awaitReady(Process process, JsonRpcClient client, Path log) {
        long deadline = System.nanoTime() + STARTUP_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) return false;
            try {
                client.call(PROBE_TIMEOUT, "eth_chainId");
                return true;
            } catch (UncheckedIOException notListeningYet) {
                sleep(Duration.ofMillis(50));
            }
        }
        destroy(process.toHandle());
        throw new IllegalStateException("anvil did not answer eth_chainId within " + STARTUP_DEADLINE
                + "; output:\n" + tail(log));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("finding a free port: " + e.getMessage(), e);
        }
    }

    public String url() {
        return rpc.uri().toString();
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /** Raw JSON-RPC: the {@code result} of {@code method}; errors raise {@link JsonRpcClient.RpcException}. */
    public JsonNode rpc(String method, Object... params) {
        return rpc.call(method, params);
    }

    public long chainId() {
        return Hex.quantity(rpc("eth_chainId").asText());
    }

    public long blockNumber() {
        return Hex.quantity(rpc("eth_blockNumber").asText());
    }

    /** The block (without transaction bodies) at {@code tag} ({@code "latest"}, {@code "finalized"}, ...), or JSON null. */
    public JsonNode block(String tag) {
        return rpc("eth_getBlockByNumber", tag, false);
    }

    public JsonNode block(long number) {
        return block(Hex.quantity(number));
    }

    public Hash blockHash(long number) {
        JsonNode block = block(number);
        if (block.isNull()) {
            throw new IllegalStateException("anvil has no block " + number + " (head is " + blockNumber() + ")");
        }
        return Hash.fromHex(block.get("hash").asText());
    }

    /** The number of the block anvil tags {@code finalized} (head - 64, at least 0). */
    public long finalizedNumber() {
        return Hex.quantity(block("finalized").get("number").asText());
    }

    /** Mines {@code blocks} empty blocks at once. */
    public void mine(int blocks) {
        if (blocks < 1) throw new IllegalArgumentException("mine needs at least 1 block, got " + blocks);
        rpc("anvil_mine", Hex.quantity(blocks));
    }

    /** Turns automine on or off (off: transactions wait in the pool until {@link #mine}). */
    public void setAutomine(boolean enabled) {
        rpc("evm_setAutomine", enabled);
    }

    /**
     * Replaces the top {@code depth} blocks with as many new ones (same head height, new hashes) holding
     * {@code txs}, each in the block at its {@link TxSpec#blockOffset()} above the common ancestor. anvil
     * reports nothing about those transactions, so this checks that every one was mined and succeeded.
     */
    public void reorg(int depth, List<TxSpec> txs) {
        if (depth < 1) throw new IllegalArgumentException("reorg depth must be at least 1, got " + depth);
        ArrayNode pairs = JsonRpcClient.JSON.createArrayNode();
        for (TxSpec tx : txs) {
            if (tx.blockOffset() >= depth) {
                throw new IllegalArgumentException("tx block offset " + tx.blockOffset() + " is not below reorg depth " + depth);
            }
            pairs.addArray().add(tx.toJson()).add(tx.blockOffset());
        }
        rpc("anvil_reorg", depth, pairs);
        if (!txs.isEmpty()) checkReorgTransactions(blockNumber() - depth + 1, txs.size());
    }

    private void checkReorgTransactions(long firstNewBlock, int expected) {
        int mined = 0;
        for (long n = firstNewBlock; n <= blockNumber(); n++) {
            for (JsonNode txHash : block(n).get("transactions")) {
                mined++;
                JsonNode receipt = receipt(Hash.fromHex(txHash.asText()));
                if (!"0x1".equals(receipt.path("status").asText())) {
                    throw new IllegalStateException("reorg transaction " + txHash.asText() + " in block " + n
                            + " failed (status " + receipt.path("status").asText() + ", gas used "
                            + receipt.path("gasUsed").asText() + "): give it more TxSpec.gas or fix its calldata");
                }
            }
        }
        if (mined != expected) {
            throw new IllegalStateException("anvil_reorg mined " + mined + " of " + expected
                    + " transactions (see " + logFile + " for the invalid ones)");
        }
    }

    /** Removes the top {@code depth} blocks: the head drops by {@code depth}. */
    public void rollback(int depth) {
        if (depth < 1) throw new IllegalArgumentException("rollback depth must be at least 1, got " + depth);
        rpc("anvil_rollback", depth);
    }

    /** Snapshots chain and state; returns the id for {@link #revert}. */
    public String snapshot() {
        return rpc("evm_snapshot").asText();
    }

    /** Reverts to a snapshot (which is consumed); false when anvil does not know the id. */
    public boolean revert(String snapshotId) {
        return rpc("evm_revert", snapshotId).asBoolean();
    }

    /** The 10 unlocked, funded dev accounts. */
    public List<Address> accounts() {
        List<Address> accounts = new ArrayList<>();
        for (JsonNode account : rpc("eth_accounts")) accounts.add(Address.fromHex(account.asText()));
        return accounts;
    }

    /**
     * Sends a transaction from an unlocked dev account ({@code to} null creates a contract). When it is mined
     * on return (automine, the default) a failed status raises, naming the transaction.
     */
    public Hash sendTransaction(Address from, Address to, String dataHex) {
        Objects.requireNonNull(from, "from");
        ObjectNode tx = new TxSpec(from, to, dataHex, 0).toJsonWithoutGas();
        Hash hash = Hash.fromHex(rpc("eth_sendTransaction", tx).asText());
        JsonNode receipt = awaitReceipt(hash);
        if (!receipt.isNull() && !"0x1".equals(receipt.path("status").asText())) {
            throw new IllegalStateException("transaction " + hash + " from " + from + " to " + to + " reverted: " + receipt);
        }
        return hash;
    }

    /**
     * With automine on, waits (up to 10 s) until the transaction is mined: under load anvil may answer
     * {@code eth_sendTransaction} before the block exists, and the next call must see it. With automine off
     * it returns the null receipt at once.
     */
    private JsonNode awaitReceipt(Hash hash) {
        JsonNode receipt = receipt(hash);
        if (!receipt.isNull() || !rpc("anvil_getAutomine").asBoolean()) return receipt;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (receipt.isNull() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + hash, e);
            }
            receipt = receipt(hash);
        }
        if (receipt.isNull()) throw new IllegalStateException("transaction " + hash + " not mined within 10 s under automine");
        return receipt;
    }

    /** The receipt, or JSON null while the transaction is pending. */
    public JsonNode receipt(Hash txHash) {
        return rpc("eth_getTransactionReceipt", txHash);
    }

    /** Deploys creation bytecode from {@code from} and returns the new contract's address (needs automine). */
    public Address deploy(Address from, String bytecodeHex) {
        Hash hash = sendTransaction(from, null, bytecodeHex.startsWith("0x") ? bytecodeHex : "0x" + bytecodeHex);
        JsonNode receipt = receipt(hash);
        if (receipt.isNull()) {
            throw new IllegalStateException("deployment " + hash + " is not mined: deploy needs automine on");
        }
        return Address.fromHex(receipt.get("contractAddress").asText());
    }

    /** {@code eth_getLogs} with a filter object as the node takes it. */
    public JsonNode getLogs(JsonNode filter) {
        return rpc("eth_getLogs", filter);
    }

    /** The logs of one contract in {@code [fromBlock, toBlock]}. */
    public JsonNode getLogs(Address address, long fromBlock, long toBlock) {
        ObjectNode filter = JsonRpcClient.JSON.createObjectNode();
        filter.put("address", address.hex());
        filter.put("fromBlock", Hex.quantity(fromBlock));
        filter.put("toBlock", Hex.quantity(toBlock));
        return getLogs(filter);
    }

    /** Kills anvil (and any children) and waits for it to exit. Idempotent. */
    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: nothing left to undo.
        }
    }

    private void kill() {
        destroy(process.toHandle());
    }

    private static void destroy(ProcessHandle handle) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroy();
        try {
            handle.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception stillRunning) {
            if (stillRunning instanceof InterruptedException) Thread.currentThread().interrupt();
            handle.destroyForcibly();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for anvil to start", e);
        }
    }

    @Override
    public String toString() {
        return "anvil at " + url() + " (pid " + process.pid() + ")";
    }
}
