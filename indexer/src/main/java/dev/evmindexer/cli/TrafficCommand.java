package dev.evmindexer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.Hex;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code traffic}: data for the devnet walkthrough. Deploys the bench token ({@link BenchTokenCode}) from the node's
 * first unlocked account (anvil's) and calls its {@code spray} every so often, each call emitting ERC-20 Transfer
 * events, so {@code config/devnet.yaml} has rows to show. For a local devnet only: it needs unlocked accounts.
 */
@Command(name = "traffic", description = "Deploy a token on a local devnet (anvil: unlocked accounts) and send it "
        + "ERC-20 transfers, so the devnet walkthrough has data; `scripts/anvil --demo-traffic` runs it.")
final class TrafficCommand implements Callable<Integer> {
    private static final java.time.Duration RECEIPT_WAIT = java.time.Duration.ofSeconds(60);

    @Option(names = "--rpc", paramLabel = "URL", defaultValue = "http://127.0.0.1:8545",
            description = "the devnet's JSON-RPC URL (default: ${DEFAULT-VALUE})")
    URI rpcUrl;

    @Option(names = "--every-ms", paramLabel = "MS", defaultValue = "2000",
            description = "milliseconds between two transactions (default: ${DEFAULT-VALUE})")
    long everyMs;

    @Option(names = "--transfers", paramLabel = "N", defaultValue = "5",
            description = "Transfer events per transaction (default: ${DEFAULT-VALUE})")
    int transfers;

    @Option(names = "--transactions", paramLabel = "N", defaultValue = "0",
            description = "stop after N transactions, each waited for until mined (default: 0, until stopped)")
    long transactions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (everyMs < 0 || transfers < 1 || transactions < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "need --every-ms >= 0, --transfers >= 1 and --transactions >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        BenchRpc rpc = new BenchRpc(rpcUrl);
        String from = rpc.call("eth_accounts").path(0).asText("");
        if (from.isEmpty()) throw new IOException(rpcUrl + " has no unlocked account: traffic needs a devnet such as anvil");
        long nonce = Hex.quantity(rpc.call("eth_getTransactionCount", from, "pending").asText());
        JsonNode deploy = rpc.call("eth_sendTransaction", AnvilBenchChain.tx(from, null, BenchTokenCode.CREATION_BYTECODE,
                nonce++, AnvilBenchChain.DEPLOY_GAS));
        awaitReceipt(rpc, deploy);
        String token = AnvilBenchChain.contractAddress(rpc, deploy);
        out.printf("traffic: token %s deployed; %d Transfer events every %d ms%s%n", token, transfers, everyMs,
                transactions == 0 ? " until stopped (Ctrl-C)" : ", " + transactions + " transactions");
        out.flush();
        long gas = 60_000 + 5_000L * transfers; // about 3,000 gas per event and the call: mined whatever the estimate
        for (long k = 1; transactions == 0 || k <= transactions; k++) {
            JsonNode tx = rpc.call("eth_sendTransaction", AnvilBenchChain.tx(from, token,
                    AnvilBenchChain.spray(k, transfers, "0x0000000000000000000000000000000000000000", 0), nonce++, gas));
            if (transactions != 0) awaitReceipt(rpc, tx);
            Thread.sleep(everyMs);
        }
        out.printf("traffic: sent %d transactions to %s%n", transactions, token);
        return 0;
    }

    /** Waits (bounded) until {@code txHash} is mined: anvil may mine on a block time rather than per transaction. */
    private static void awaitReceipt(BenchRpc rpc, JsonNode txHash) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + RECEIPT_WAIT.toNanos();
        while (rpc.call("eth_getTransactionReceipt", txHash.asText()).isNull()) {
            if (System.nanoTime() > deadline) throw new IOException("transaction " + txHash.asText() + " not mined within "
                    + RECEIPT_WAIT.toSeconds() + " s");
            Thread.sleep(100);
        }
    }
}
