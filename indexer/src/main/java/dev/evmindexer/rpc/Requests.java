package dev.evmindexer.rpc;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.pipeline.LogFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON-RPC requests the source makes, and how provider errors are recognised. */
final class Requests {
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
        return blockByHash(hash, false);
    }

    /** The block with this hash, with full transaction objects when {@code transactions}. */
    static Endpoint.Call blockByHash(Hash hash, boolean transactions) {
        return Endpoint.Call.of("eth_getBlockByHash", hash.hex(), transactions);
    }

    /** All receipts of the block with this hash ({@code eth_getBlockReceipts} takes a number, tag or hash). */
    static Endpoint.Call blockReceipts(Hash blockHash) {
        return Endpoint.Call.of(Endpoint.GET_BLOCK_RECEIPTS, blockHash.hex());
    }

    static Endpoint.Call logsOfBlock(Hash blockHash, LogFilter filter) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("blockHash", blockHash.hex());
        addFilter(f, filter);
        return Endpoint.Call.of("eth_getLogs", f);
    }

    static Endpoint.Call logsOfRange(long from, long to, LogFilter filter) {
        return logsOfRange(from, to, filter.addresses(), filter);
    }

    /** {@code eth_getLogs} of a range for some of the filter's addresses (long address lists are split). */
    static Endpoint.Call logsOfRange(long from, long to, List<Address> addresses, LogFilter filter) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("fromBlock", Hex.quantity(from));
        f.put("toBlock", Hex.quantity(to));
        addFilter(f, addresses, filter);
        return Endpoint.Call.of("eth_getLogs", f);
    }

    private static void addFilter(Map<String, Object> f, LogFilter filter) {
        addFilter(f, filter.addresses(), filter);
    }

    private static void addFilter(Map<String, Object> f, List<Address> addresses, LogFilter filter) {
        if (!addresses.isEmpty()) f.put("address", addresses.stream().map(Address::hex).toList());
        if (!filter.topic0s().isEmpty() || !filter.topics().isEmpty()) f.put("topics", topics(filter));
    }

    /** The {@code topics} array: per position null (any) or the list of alternatives; trailing wildcards left out. */
    private static List<Object> topics(LogFilter filter) {
        List<Object> out = new java.util.ArrayList<>();
        out.add(filter.topic0s().isEmpty() ? null : filter.topic0s().stream().map(Hash::hex).toList());
        for (List<Hash> position : filter.topics()) out.add(position.isEmpty() ? null : position.stream().map(Hash::hex).toList());
        return out;
    }

    static boolean isRangeTooLarge(RpcResult r) {
        return r.isError() && RangeErrors.isRangeError(r.errorMessage());
    }

    /** An {@code eth_getLogs} refused for naming too many addresses. */
    static boolean isAddressLimit(RpcResult r) {
        if (!r.isError()) return false;
        String m = r.errorMessage().toLowerCase(Locale.ROOT);
        return m.contains("address") && (m.contains("too many") || m.contains("exceed") || m.contains("maximum")
                || m.contains("limit"));
    }

    static boolean isUnknownBlock(RpcResult r) {
        return r.isError() && containsAny(r.errorMessage(), UNKNOWN_BLOCK_ERRORS);
    }

    private static boolean containsAny(String message, List<String> fragments) {
        String m = message.toLowerCase(Locale.ROOT);
        return fragments.stream().anyMatch(m::contains);
    }
}
