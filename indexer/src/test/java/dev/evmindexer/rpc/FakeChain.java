package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import dev.evmindexer.pipeline.LogFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A small immutable-once-built chain for unit tests: blocks 0..head with linked hashes, correct blooms, and
 * logs added one line per log. Answers the JSON-RPC methods the source uses, as a well-behaved node would.
 */
final class FakeChain {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Address TOKEN = Address.fromHex("0x00000000000000000000000000000000000000aa");
    static final Address OTHER = Address.fromHex("0x00000000000000000000000000000000000000bb");
    static final Hash TRANSFER = Hash.fromHex("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    static final Hash APPROVAL = Hash.fromHex("0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b0a8c8c5b925b5b");

    final long chainId;
    private final List<BlockHeader> blocks = new ArrayList<>();
    /** Each block's bloom, rebuilt into its header as logs are added. */
    private final List<byte[]> blooms = new ArrayList<>();
    private final List<List<Log>> logs = new ArrayList<>();
    private OptionalLong finalized = OptionalLong.empty();
    private OptionalLong safe = OptionalLong.empty();

    FakeChain(long chainId, int head) {
        this.chainId = chainId;
        Hash parent = Hash.ZERO;
        for (int n = 0; n <= head; n++) {
            Hash hash = Hash.of(org.web3j.crypto.Hash.sha3(("block " + n + " of " + chainId).getBytes(StandardCharsets.UTF_8)));
            blooms.add(new byte[LogsBloom.SIZE]);
            blocks.add(new BlockHeader(n, hash, parent, 1_700_000_000L + 12L * n, LogsBloom.of(blooms.get(n))));
            logs.add(new ArrayList<>());
            parent = hash;
        }
    }

    /** Adds a log to block {@code n} (log index in block order) and sets its bloom bits. */
    FakeChain log(long n, Address address, Hash topic0, long value) {
        BlockHeader b = blocks.get((int) n);
        List<Log> inBlock = logs.get((int) n);
        Hash topic1 = Hash.of(org.web3j.crypto.Hash.sha3(("from " + value).getBytes(StandardCharsets.UTF_8)));
        byte[] data = new byte[32];
        data[31] = (byte) value;
        Hash tx = Hash.of(org.web3j.crypto.Hash.sha3(("tx " + n + "/" + inBlock.size()).getBytes(StandardCharsets.UTF_8)));
        inBlock.add(new Log(address, List.of(topic0, topic1), data, n, b.hash(), tx, inBlock.size(), inBlock.size()));
        byte[] bloom = blooms.get((int) n);
        dev.evmindexer.abi.Bloom.add(bloom, address.unsafeBytes());
        dev.evmindexer.abi.Bloom.add(bloom, topic0.unsafeBytes());
        dev.evmindexer.abi.Bloom.add(bloom, topic1.unsafeBytes());
        blocks.set((int) n, new BlockHeader(n, b.hash(), b.parentHash(), b.timestamp(), LogsBloom.of(bloom)));
        return this;
    }

    FakeChain safe(long n) {
        safe = OptionalLong.of(n);
        return this;
    }

    FakeChain finalized(long n) {
        finalized = OptionalLong.of(n);
        return this;
    }

    long head() {
        return blocks.size() - 1L;
    }

    BlockHeader block(long n) {
        return blocks.get((int) n);
    }

    List<Log> logs(long from, long to, LogFilter filter) {
        List<Log> out = new ArrayList<>();
        for (long n = from; n <= Math.min(to, head()); n++) {
            for (Log l : logs.get((int) n)) if (filter.matches(l)) out.add(l);
        }
        return out;
    }

    /** The JSON answer element (with result or error, no id) of a well-behaved node at height {@code head}. */
    JsonNode answer(String method, JsonNode params, long head) {
        switch (method) {
            case "eth_chainId":
                return result(JSON.getNodeFactory().textNode(Hex.quantity(chainId)));
            case "eth_blockNumber":
                return result(JSON.getNodeFactory().textNode(Hex.quantity(head)));
            case "eth_getBlockByNumber": {
                String tag = params.get(0).asText();
                long n;
                if (tag.equals("latest")) n = head;
                else if (tag.equals("finalized")) {
                    if (finalized.isEmpty()) return error(-32000, "finalized block not found");
                    n = finalized.getAsLong();
                } else if (tag.equals("safe")) {
                    if (safe.isEmpty()) return error(-32000, "safe block not found");
                    n = safe.getAsLong();
                } else n = Hex.quantity(tag);
                return result(n <= head ? blockJson(block(n)) : null);
            }
            case "eth_getBlockByHash": {
                Hash h = Hash.fromHex(params.get(0).asText());
                return result(blocks.stream().filter(b -> b.hash().equals(h) && b.number() <= head)
                        .findFirst().map(FakeChain::blockJson).orElse(null));
            }
            case "eth_getLogs":
                return getLogs(params.get(0), head);
            default:
                return error(-32601, "the method " + method + " does not exist/is not available");
        }
    }

    private JsonNode getLogs(JsonNode f, long head) {
        LogFilter filter = filterOf(f);
        if (f.has("blockHash")) {
            Hash h = Hash.fromHex(f.get("blockHash").asText());
            BlockHeader b = blocks.stream().filter(x -> x.hash().equals(h) && x.number() <= head).findFirst().orElse(null);
            if (b == null) return error(-32000, "unknown block");
            return result(logsJson(logs(b.number(), b.number(), filter)));
        }
        long from = Hex.quantity(f.get("fromBlock").asText());
        long to = Hex.quantity(f.get("toBlock").asText());
        return result(logsJson(logs(from, Math.min(to, head), filter)));
    }

    static LogFilter filterOf(JsonNode f) {
        List<Address> addresses = new ArrayList<>();
        if (f.has("address")) f.get("address").forEach(a -> addresses.add(Address.fromHex(a.asText())));
        List<Hash> topics = new ArrayList<>();
        if (f.has("topics")) f.get("topics").get(0).forEach(t -> topics.add(Hash.fromHex(t.asText())));
        return new LogFilter(addresses, topics);
    }

    static ObjectNode blockJson(BlockHeader b) {
        ObjectNode o = JSON.createObjectNode();
        o.put("number", Hex.quantity(b.number()));
        o.put("hash", b.hash().hex());
        o.put("parentHash", b.parentHash().hex());
        o.put("timestamp", Hex.quantity(b.timestamp()));
        o.put("logsBloom", ((LogsBloom.Known) b.logsBloom()).hex());
        o.put("miner", "0x0000000000000000000000000000000000000000");
        return o;
    }

    static ArrayNode logsJson(List<Log> logs) {
        ArrayNode a = JSON.createArrayNode();
        for (Log l : logs) {
            ObjectNode o = a.addObject();
            o.put("address", l.address().hex());
            ArrayNode topics = o.putArray("topics");
            l.topics().forEach(t -> topics.add(t.hex()));
            o.put("data", Hex.encode(l.data()));
            o.put("blockNumber", Hex.quantity(l.blockNumber()));
            o.put("blockHash", l.blockHash().hex());
            o.put("transactionHash", l.txHash().hex());
            o.put("transactionIndex", Hex.quantity(l.txIndex()));
            o.put("logIndex", Hex.quantity(l.logIndex()));
            o.put("removed", false);
        }
        return a;
    }

    static ObjectNode result(JsonNode result) {
        ObjectNode o = JSON.createObjectNode();
        o.put("jsonrpc", "2.0");
        o.set("result", result == null ? JSON.nullNode() : result);
        return o;
    }

    static ObjectNode error(int code, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("jsonrpc", "2.0");
        o.putObject("error").put("code", code).put("message", message);
        return o;
    }
}
