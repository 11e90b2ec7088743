package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.ProvenLogs;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.JsonRpcClient;
import dev.evmindexer.testsupport.TestTokenContract;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The receipt encodings against a real node's roots: one anvil block holding a legacy, an EIP-2930 and an EIP-1559
 * transaction and a reverted one (status 0), whose receipts must prove against anvil's receiptsRoot, at the tip
 * ({@code blockLogs}) and for {@code verify --proof} ({@code provenLogs}).
 */
class AnvilReceiptsIT {

    @Test
    void legacyAccessListFeeMarketAndRevertedReceiptsProveAgainstAnvilsRoot() {
        try (Anvil anvil = Anvil.start()) {
            TestTokenContract token = TestTokenContract.deploy(anvil);
            List<Address> accounts = anvil.accounts();
            String transfer = TestTokenContract.encodeTransfer(accounts.get(1), BigInteger.TEN);
            anvil.setAutomine(false);
            List<Hash> txs = new ArrayList<>();
            txs.add(send(anvil, tx(token, token.deployer(), transfer).put("gasPrice", "0x77359400")));
            txs.add(send(anvil, tx(token, token.deployer(), transfer).put("gasPrice", "0x77359400")
                    .set("accessList", JsonRpcClient.JSON.createArrayNode())));
            txs.add(send(anvil, tx(token, token.deployer(), transfer).put("maxFeePerGas", "0x77359400")
                    .put("maxPriorityFeePerGas", "0x3b9aca00")));
            // a call of a function the token does not have: mined, reverted, no logs
            txs.add(send(anvil, tx(token, accounts.get(7), "0xdeadbeef").put("maxFeePerGas", "0x77359400")
                    .put("maxPriorityFeePerGas", "0x3b9aca00")));
            anvil.mine(1);
            anvil.setAutomine(true);

            Set<String> kinds = new TreeSet<>();
            long block = -1;
            for (Hash h : txs) {
                JsonNode r = anvil.receipt(h);
                kinds.add(r.get("type").asText() + "/" + r.get("status").asText());
                block = Long.decode(r.get("blockNumber").asText());
            }
            assertEquals(Set.of("0x0/0x1", "0x1/0x1", "0x2/0x1", "0x2/0x0"), kinds, "the block holds every kind");

            LogFilter filter = new LogFilter(List.of(token.address()), List.of());
            List<EndpointSpec> specs = List.of(new EndpointSpec(anvil.url(), Duration.ofSeconds(10), 4, 1000));
            try (RpcChainSource proven = RpcChainSource.connect("anvil", 31337, specs, true, true);
                    RpcChainSource plain = RpcChainSource.connect("anvil", 31337, specs, true)) {
                BlockHeader header = proven.header(block).orElseThrow();
                List<Log> logs = proven.blockLogs(header, filter);
                assertEquals(3, logs.size(), "three successful transfers");
                assertEquals(plain.blockLogs(header, filter), logs);

                ProvenLogs range = proven.provenLogs(0, anvil.blockNumber(), filter);
                assertTrue(range.unproven().isEmpty(), range.unproven().toString());
                assertEquals(plain.rangeLogs(0, anvil.blockNumber(), filter).logs(), range.proven().logs());
            }
        }
    }

    private static ObjectNode tx(TestTokenContract token, Address from, String data) {
        ObjectNode tx = JsonRpcClient.JSON.createObjectNode();
        tx.put("from", from.hex());
        tx.put("to", token.address().hex());
        tx.put("data", data);
        tx.put("gas", "0x30000");
        return tx;
    }

    private static Hash send(Anvil anvil, ObjectNode tx) {
        return Hash.fromHex(anvil.rpc("eth_sendTransaction", tx).asText());
    }
}
