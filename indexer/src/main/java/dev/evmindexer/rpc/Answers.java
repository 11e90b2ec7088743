package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads JSON-RPC results into {@code eth} types, strictly: a missing field, a value that is not 0x-prefixed hex
 * of the right length, or a number out of range is an {@link RpcFault} naming the endpoint and the field.
 */
final class Answers {
    private Answers() {}

    /**
     * A block object of {@code eth_getBlockBy*}; {@code logsBloom} may be absent (then it is
     * {@link LogsBloom#UNKNOWN}), and so may {@code receiptsRoot} (then it is empty).
     */
    static BlockHeader header(JsonNode block, Endpoint from) {
        if (block == null || !block.isObject()) throw bad(from, "a block that is not an object");
        long number = quantityField(block, "number", from);
        Hash hash = hashField(block, "hash", from);
        Hash parent = hashField(block, "parentHash", from);
        long timestamp = quantityField(block, "timestamp", from);
        LogsBloom bloom = LogsBloom.UNKNOWN;
        JsonNode b = block.get("logsBloom");
        if (b != null && !b.isNull()) {
            byte[] bytes = bytes(b, "logsBloom", from);
            if (bytes.length != LogsBloom.SIZE) {
                throw bad(from, "block #" + number + " with a logsBloom of " + bytes.length + " bytes");
            }
            bloom = LogsBloom.of(bytes);
        }
        JsonNode root = block.get("receiptsRoot");
        Optional<Hash> receiptsRoot = root == null || root.isNull() ? Optional.empty()
                : Optional.of(hash(root, "receiptsRoot", from));
        return new BlockHeader(number, hash, parent, timestamp, bloom, receiptsRoot);
    }

    /** One log object of {@code eth_getLogs}. A log marked {@code removed: true} is a fault. */
    static Log log(JsonNode log, Endpoint from) {
        if (log == null || !log.isObject()) throw bad(from, "a log that is not an object");
        JsonNode removed = log.get("removed");
        if (removed != null && removed.asBoolean(false)) throw bad(from, "a log marked removed");
        JsonNode address = field(log, "address", from);
        Address a;
        try {
            a = Address.fromHex(address.asText());
        } catch (IllegalArgumentException e) {
            throw bad(from, "a log whose address is not 20 bytes of hex");
        }
        JsonNode topicsNode = field(log, "topics", from);
        if (!topicsNode.isArray() || topicsNode.size() > 4) throw bad(from, "a log whose topics are not an array of <= 4");
        List<Hash> topics = new ArrayList<>(topicsNode.size());
        for (JsonNode t : topicsNode) topics.add(hash(t, "topics", from));
        byte[] data = bytes(field(log, "data", from), "data", from);
        long blockNumber = quantityField(log, "blockNumber", from);
        Hash blockHash = hashField(log, "blockHash", from);
        Hash txHash = hashField(log, "transactionHash", from);
        int txIndex = intQuantity(log, "transactionIndex", from);
        int logIndex = intQuantity(log, "logIndex", from);
        return new Log(a, topics, data, blockNumber, blockHash, txHash, txIndex, logIndex);
    }

    /** The logs of an {@code eth_getLogs} answer: read while streaming, or from a tree (single calls). */
    static List<Log> logs(RpcResult answer, Endpoint from) {
        if (answer.isError()) throw new RpcFault(answer.describeError());
        if (answer.logs() != null) return answer.logs();
        return logs(answer.required(), from);
    }

    /** The logs of an {@code eth_getLogs} result, which must be an array. */
    static List<Log> logs(JsonNode result, Endpoint from) {
        if (result == null || !result.isArray()) throw bad(from, "an eth_getLogs result that is not an array");
        List<Log> out = new ArrayList<>(result.size());
        for (JsonNode n : result) out.add(log(n, from));
        return out;
    }

    /** A bare quantity result such as {@code eth_blockNumber}'s. */
    static long quantity(JsonNode value, String what, Endpoint from) {
        if (value == null || !value.isTextual()) throw bad(from, what + " that is not a hex string");
        try {
            return Hex.quantity(value.asText());
        } catch (IllegalArgumentException e) {
            throw bad(from, what + " that is not a hex quantity: " + abbreviate(value.asText()));
        }
    }

    static long quantityField(JsonNode obj, String name, Endpoint from) {
        return quantity(field(obj, name, from), name, from);
    }

    static int intQuantity(JsonNode obj, String name, Endpoint from) {
        long v = quantityField(obj, name, from);
        if (v > Integer.MAX_VALUE) throw bad(from, name + " out of range: " + v);
        return (int) v;
    }

    static Hash hashField(JsonNode obj, String name, Endpoint from) {
        return hash(field(obj, name, from), name, from);
    }

    private static Hash hash(JsonNode value, String name, Endpoint from) {
        byte[] b = bytes(value, name, from);
        if (b.length != Hash.SIZE) throw bad(from, name + " of " + b.length + " bytes, not 32");
        return Hash.of(b);
    }

    static byte[] bytes(JsonNode value, String name, Endpoint from) {
        if (value == null || !value.isTextual() || !value.asText().startsWith("0x")) {
            throw bad(from, name + " that is not 0x-prefixed hex");
        }
        try {
            return Hex.decode(value.asText());
        } catch (IllegalArgumentException e) {
            throw bad(from, name + " that is not valid hex: " + abbreviate(value.asText()));
        }
    }

    static JsonNode field(JsonNode obj, String name, Endpoint from) {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) throw bad(from, "an answer without " + name);
        return v;
    }

    static RpcFault bad(Endpoint from, String what) {
        return new RpcFault(from.name() + " answered " + what);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
