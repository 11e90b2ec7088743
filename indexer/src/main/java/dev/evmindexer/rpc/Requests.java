package dev.evmindexer.rpc;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.pipeline.LogFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON-RPC requests the source makes, and how provider errors are recognised. */
final class Requests {
    /**
     * Lower-case fragments of the errors providers give for an {@code eth_getLogs} range that is too large or
     * returns too much (geth/Infura, Alchemy, QuickNode, Ankr, Erigon, Besu, Nethermind, BlastAPI ...).
     */
    private static final List<String> RANGE_ERRORS = List.of(
            "query returned more than", "more than 10000 results", "too many results", "block range too large",
            "range too large", "block range is too wide", "exceed maximum block range", "exceeds max block range",
            "maximum block range", "max range", "response size exceeded", "response size should not",
            "log response size", "limited to a", "range limit", "too large block range", "query timeout exceeded");

    /** Lower-case fragments of "I don't have that block" errors for queries by block hash. */
    private static final List<String> UNKNOWN_BLOCK_ERRORS = List.of(
            "unknown block", "block not found", "header not found", "not found block", "could not find block",
            "resource not found");

    private Requests() {}

    static Endpoint.Call blockNumber() {
        return Endpoint.Call.of("eth_blockNumber");
    }

    static Endpoint.Call blockByNumber(long number) {
        return Endpoint.Call.of("eth_getBlockByNumber", Hex.quantity(number), false);
    }

    static Endpoint.Call blockByTag(String tag) {
        return Endpoint.Call.of("eth_getBlockByNumber", tag, false);
    }

    static Endpoint.Call blockByHash(Hash hash) {
        return Endpoint.Call.of("eth_getBlockByHash", hash.hex(), false);
    }

    static Endpoint.Call logsOfBlock(Hash blockHash, LogFilter filter) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("blockHash", blockHash.hex());
        addFilter(f, filter);
        return Endpoint.Call.of("eth_getLogs", f);
    }

    static Endpoint.Call logsOfRange(long from, long to, LogFilter filter) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("fromBlock", Hex.quantity(from));
        f.put("toBlock", Hex.quantity(to));
        addFilter(f, filter);
        return Endpoint.Call.of("eth_getLogs", f);
    }

    private static void addFilter(Map<String, Object> f, LogFilter filter) {
        if (!filter.addresses().isEmpty()) f.put("address", filter.addresses().stream().map(Address::hex).toList());
        if (!filter.topic0s().isEmpty()) f.put("topics", List.of(filter.topic0s().stream().map(Hash::hex).toList()));
    }

    /** Sends {@code calls} on {@code ep} in consecutive batches of at most its {@code maxBatch}. */
    static List<RpcResult> batched(Endpoint ep, List<Endpoint.Call> calls) {
        int max = ep.spec().maxBatch();
        if (calls.size() <= max) return ep.batch(calls);
        List<RpcResult> out = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i += max) {
            out.addAll(ep.batch(calls.subList(i, Math.min(calls.size(), i + max))));
        }
        return out;
    }

    static boolean isRangeTooLarge(RpcResult r) {
        return r.isError() && containsAny(r.errorMessage(), RANGE_ERRORS);
    }

    static boolean isUnknownBlock(RpcResult r) {
        return r.isError() && containsAny(r.errorMessage(), UNKNOWN_BLOCK_ERRORS);
    }

    private static boolean containsAny(String message, List<String> fragments) {
        String m = message.toLowerCase(Locale.ROOT);
        return fragments.stream().anyMatch(m::contains);
    }
}
