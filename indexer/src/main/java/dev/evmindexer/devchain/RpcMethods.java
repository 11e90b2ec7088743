package dev.evmindexer.devchain;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import java.io.IOException;

/**
 * The JSON-RPC methods of the devchain. {@link #call} validates the parameters and pins the chain
 * snapshot, throwing {@link RpcError} for bad input; the returned writer then streams the result, so
 * no error can surface after the response has started.
 */
final class RpcMethods {
    static final String CLIENT_VERSION = "devchain/0.1.0";

    /** Streams one result value. */
    @FunctionalInterface
    interface ResultWriter {
        void write(RpcJson json, JsonGenerator g) throws IOException;
    }

    /** A prepared result and the number of logs it holds (counted for {@code eth_getLogs} when the limits need it). */
    record Answer(ResultWriter writer, long logs) {}

    private final DevChain chain;
    private final ProviderFaults faults;

    RpcMethods(DevChain chain, ProviderFaults faults) {
        this.chain = chain;
        this.faults = faults;
    }

    Answer call(String method, JsonNode params) {
        JsonNode p = params == null || params.isNull() ? JsonNodeFactory.instance.arrayNode() : params;
        if (!p.isArray()) throw RpcError.invalidParams("params must be an array");
        if (method.equals("eth_getLogs")) return logs(p);
        return new Answer(switch (method) {
            case "eth_chainId" -> {
                arity(p, 0, 0);
                long id = chain.chainId();
                yield (json, g) -> json.quantity(id);
            }
            case "net_version" -> {
                arity(p, 0, 0);
                String version = Long.toString(chain.chainId());
                yield (json, g) -> g.writeString(version);
            }
            case "web3_clientVersion" -> {
                arity(p, 0, 0);
                yield (json, g) -> g.writeString(CLIENT_VERSION);
            }
            case "eth_blockNumber" -> {
                arity(p, 0, 0);
                long head = chain.head();
                yield (json, g) -> json.quantity(head);
            }
            case "eth_getBlockByNumber" -> blockByNumber(p);
            case "eth_getBlockByHash" -> blockByHash(p);
            case "eth_getBlockReceipts" -> blockReceipts(p);
            default -> throw new RpcError(RpcError.METHOD_NOT_FOUND, "the method " + method + " does not exist/is not available");
        }, 0);
    }

    private ResultWriter blockByNumber(JsonNode p) {
        arity(p, 1, 2);
        DevChain.Snapshot s = chain.snapshot();
        DevBlock block = s.block(blockNumber(p.get(0), s, "block number"));
        return block(block, fullTransactions(p));
    }

    private ResultWriter blockByHash(JsonNode p) {
        arity(p, 1, 2);
        Hash hash = Hash.of(LogQuery.hexBytes(p.get(0), 32, "block hash"));
        return block(chain.canonicalByHash(hash, chain.snapshot()), fullTransactions(p));
    }

    /** The receipts of a block named by number, tag or hash (a 32-byte hex string); null for a block it lacks. */
    private ResultWriter blockReceipts(JsonNode p) {
        arity(p, 1, 1);
        JsonNode id = p.get(0);
        DevChain.Snapshot s = chain.snapshot();
        DevBlock block;
        if (id.isTextual() && id.asText().length() == 66) {
            block = chain.canonicalByHash(Hash.of(LogQuery.hexBytes(id, 32, "block hash")), s);
        } else {
            block = s.block(blockNumber(id, s, "block number"));
        }
        if (block == null) return (json, g) -> g.writeNull();
        return (json, g) -> json.receipts(block);
    }

    private ResultWriter block(DevBlock block, boolean fullTransactions) {
        if (block == null) return (json, g) -> g.writeNull();
        boolean realRoot = chain.realReceiptsRoots();
        return (json, g) -> json.block(block, realRoot, fullTransactions);
    }

    private Answer logs(JsonNode p) {
        arity(p, 1, 1);
        JsonNode filter = p.get(0);
        if (!filter.isObject()) throw RpcError.invalidParams("the filter must be an object");
        LogQuery query = LogQuery.parse(filter.get("address"), filter.get("topics"));
        DevChain.Snapshot s = chain.snapshot();
        long from;
        long to;
        if (present(filter, "blockHash")) {
            if (present(filter, "fromBlock") || present(filter, "toBlock")) {
                throw RpcError.invalidParams("cannot specify both blockHash and fromBlock/toBlock");
            }
            Hash hash = Hash.of(LogQuery.hexBytes(filter.get("blockHash"), 32, "blockHash"));
            DevBlock block = chain.canonicalByHash(hash, s);
            if (block == null) throw new RpcError(RpcError.SERVER_ERROR, "unknown block");
            from = to = block.number();
        } else {
            from = present(filter, "fromBlock") ? blockNumber(filter.get("fromBlock"), s, "fromBlock") : s.head();
            to = present(filter, "toBlock") ? blockNumber(filter.get("toBlock"), s, "toBlock") : s.head();
            if (from > to) {
                throw RpcError.invalidParams("invalid block range: fromBlock " + Hex.quantity(from)
                        + " is after toBlock " + Hex.quantity(to));
            }
            to = Math.min(to, s.head()); // like geth: a range reaching past the head stops at it
        }
        long first = from;
        long last = to;
        long count = faults.admit(s, first, last, query); // may refuse: before the response starts
        return new Answer((json, g) -> {
            g.writeStartArray();
            for (long n = first; n <= last; n++) {
                DevBlock b = s.block(n);
                if (b.logs().size() == 0 || !query.mayMatch(b.bloom())) continue;
                LogTable table = b.logs().table();
                for (int i = 0; i < table.size(); i++) {
                    if (query.matches(table, i)) json.log(b, table, i);
                }
            }
            g.writeEndArray();
        }, count);
    }

    /** A block number or tag; numbers above the head are returned as they are. */
    private static long blockNumber(JsonNode node, DevChain.Snapshot s, String what) {
        if (node == null || !node.isTextual()) throw RpcError.invalidParams(what + " must be a hex number or a tag");
        String text = node.asText();
        return switch (text) {
            case "latest", "pending" -> s.head();
            case "finalized", "safe" -> s.finalized();
            case "earliest" -> 0;
            default -> {
                try {
                    yield Hex.quantity(text);
                } catch (IllegalArgumentException e) {
                    throw RpcError.invalidParams(what + " is neither a hex quantity nor a tag"
                            + " (latest, pending, safe, finalized, earliest): " + LogQuery.abbreviate(text));
                }
            }
        };
    }

    /** The second parameter: full transaction objects (true) or their hashes (false, or absent). */
    private static boolean fullTransactions(JsonNode p) {
        JsonNode full = p.get(1);
        if (full == null || full.isNull()) return false;
        if (!full.isBoolean()) throw RpcError.invalidParams("the second parameter must be a boolean");
        return full.booleanValue();
    }

    private static void arity(JsonNode p, int min, int max) {
        if (p.size() < min) throw RpcError.invalidParams("missing value for required argument " + p.size());
        if (p.size() > max) throw RpcError.invalidParams("too many arguments, want at most " + max);
    }

    private static boolean present(JsonNode object, String field) {
        JsonNode v = object.get(field);
        return v != null && !v.isNull();
    }
}
