package dev.evmindexer.devchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthChainId;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.http.HttpService;

/** web3j, the client the rpc package uses, parses every devchain answer it will ask for. */
class DevChainWeb3jTest {

    @Test
    void web3jReadsChainIdBlocksAndLogs() throws Exception {
        DevChain chain = new DevChain(31337, 3);
        Random random = new Random(5);
        for (int i = 0; i < 10; i++) chain.mineRandom(random, 5);
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            // HttpService(url) alone adds okhttp's logging interceptor whenever web3j's logger is at DEBUG
            // (logback's default without a config), and the pom excludes that artifact: pass a plain client.
            Web3j web3j = Web3j.build(new HttpService(server.url().toString(), new OkHttpClient()));
            try {
                EthChainId chainId = web3j.ethChainId().send();
                assertNull(chainId.getError());
                assertEquals(BigInteger.valueOf(31337), chainId.getChainId());

                EthBlock answer = web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(4)), false).send();
                assertNull(answer.getError());
                EthBlock.Block block = answer.getBlock();
                BlockHeader header = chain.header(4).orElseThrow();
                assertEquals(BigInteger.valueOf(4), block.getNumber());
                assertEquals(header.hash().hex(), block.getHash());
                assertEquals(header.parentHash().hex(), block.getParentHash());
                assertEquals(((LogsBloom.Known) header.logsBloom()).hex(), block.getLogsBloom());
                assertEquals(BigInteger.valueOf(header.timestamp()), block.getTimestamp());
                // every numeric getter decodes
                assertEquals(BigInteger.ZERO, block.getNonce());
                assertEquals(BigInteger.ZERO, block.getDifficulty());
                assertEquals(BigInteger.ZERO, block.getTotalDifficulty());
                block.getSize();
                block.getGasLimit();
                block.getGasUsed();
                block.getBaseFeePerGas();
                assertFalse(block.getTransactions().isEmpty());
                assertEquals(BigInteger.valueOf(7),
                        web3j.ethGetBlockByNumber(DefaultBlockParameterName.FINALIZED, false).send().getBlock().getNumber());

                EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.ONE),
                        DefaultBlockParameterName.LATEST, DevChain.TOKENS.stream().map(a -> a.hex()).toList());
                filter.addSingleTopic(DevChain.TRANSFER_TOPIC.hex());
                EthLog logs = web3j.ethGetLogs(filter).send();
                assertNull(logs.getError());
                List<Log> expected = chain.logs(1, 10).stream()
                        .filter(l -> DevChain.TOKENS.contains(l.address()) && DevChain.TRANSFER_TOPIC.equals(l.topic0()))
                        .toList();
                assertEquals(expected.size(), logs.getLogs().size());
                for (int i = 0; i < expected.size(); i++) {
                    var got = (org.web3j.protocol.core.methods.response.Log) logs.getLogs().get(i).get();
                    Log want = expected.get(i);
                    assertEquals(want.address().hex(), got.getAddress());
                    assertEquals(want.topics().stream().map(t -> t.hex()).toList(), got.getTopics());
                    assertEquals(Hex.encode(want.data()), got.getData());
                    assertEquals(BigInteger.valueOf(want.blockNumber()), got.getBlockNumber());
                    assertEquals(want.blockHash().hex(), got.getBlockHash());
                    assertEquals(want.txHash().hex(), got.getTransactionHash());
                    assertEquals(BigInteger.valueOf(want.txIndex()), got.getTransactionIndex());
                    assertEquals(BigInteger.valueOf(want.logIndex()), got.getLogIndex());
                    assertFalse(got.isRemoved());
                }
            } finally {
                web3j.shutdown();
            }
        }
    }
}
