package dev.evmindexer.devchain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.Hex;
import java.util.Arrays;

/**
 * The address and topic part of an {@code eth_getLogs} filter, matched against compact log tables.
 * Semantics follow geth: no addresses means any contract; topic position {@code p} is a wildcard
 * (null or an empty list) or a list of alternatives; a log with fewer topics than the filter lists
 * never matches.
 */
final class LogQuery {
    private static final int MAX_TOPICS = 4;

    private final byte[][] addresses;
    private final byte[][][] topics;
    // bloom bits of the values above, hashed once per query rather than once per block
    private final int[][] addressBits;
    private final int[][][] topicBits;

    /** Above this many addresses, matching looks each log's address up in {@link #addressSet} (long child lists). */
    private static final int ADDRESS_SET_ABOVE = 16;
    private final java.util.Set<java.nio.ByteBuffer> addressSet;

    private LogQuery(byte[][] addresses, byte[][][] topics) {
        this.addresses = addresses;
        this.addressSet = addresses.length <= ADDRESS_SET_ABOVE ? null
                : java.util.Arrays.stream(addresses).map(java.nio.ByteBuffer::wrap).collect(java.util.stream.Collectors.toSet());
        this.topics = topics;
        this.addressBits = bits(addresses);
        this.topicBits = new int[topics.length][][];
        for (int p = 0; p < topics.length; p++) topicBits[p] = topics[p] == null ? null : bits(topics[p]);
    }

    /** Parses the filter's {@code address} and {@code topics} fields (either may be null or missing). */
    static LogQuery parse(JsonNode address, JsonNode topicsNode) {
        byte[][] addresses = new byte[0][];
        if (address != null && !address.isNull()) {
            if (address.isTextual()) {
                addresses = new byte[][] {hexBytes(address, 20, "address")};
            } else if (address.isArray()) {
                addresses = new byte[address.size()][];
                for (int i = 0; i < address.size(); i++) addresses[i] = hexBytes(address.get(i), 20, "address");
            } else {
                throw RpcError.invalidParams("address must be a string or an array of strings");
            }
        }
        byte[][][] topics = new byte[0][][];
        if (topicsNode != null && !topicsNode.isNull()) {
            if (!topicsNode.isArray()) throw RpcError.invalidParams("topics must be an array");
            if (topicsNode.size() > MAX_TOPICS) {
                throw RpcError.invalidParams("topics has " + topicsNode.size() + " positions, at most " + MAX_TOPICS);
            }
            topics = new byte[topicsNode.size()][][];
            for (int p = 0; p < topicsNode.size(); p++) topics[p] = alternatives(topicsNode.get(p), p);
        }
        return new LogQuery(addresses, topics);
    }

    /** False when the bloom proves no log of the block can match; true when one may. */
    boolean mayMatch(byte[] bloom) {
        if (addresses.length > 0 && !anyInBloom(bloom, addressBits)) return false;
        for (int[][] position : topicBits) {
            if (position != null && !anyInBloom(bloom, position)) return false;
        }
        return true;
    }

    /** True when the filter has no address and no topic position: every log matches. */
    boolean matchesEveryLog() {
        return addresses.length == 0 && topics.length == 0;
    }

    boolean matches(LogTable table, int log) {
        if (addressSet != null) {
            if (!addressSet.contains(java.nio.ByteBuffer.wrap(table.addressBytes(), log * 20, 20))) return false;
        } else if (addresses.length > 0) {
            byte[] all = table.addressBytes();
            boolean found = false;
            for (byte[] a : addresses) {
                if (Arrays.equals(all, log * 20, log * 20 + 20, a, 0, 20)) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        if (topics.length > table.topicCount(log)) return false;
        byte[] all = table.topicBytes();
        for (int p = 0; p < topics.length; p++) {
            if (topics[p] == null) continue;
            int off = table.topicOffset(log, p);
            boolean found = false;
            for (byte[] t : topics[p]) {
                if (Arrays.equals(all, off, off + 32, t, 0, 32)) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    private static byte[][] alternatives(JsonNode node, int position) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return new byte[][] {hexBytes(node, 32, "topic " + position)};
        if (!node.isArray()) {
            throw RpcError.invalidParams("topic " + position + " must be null, a hash or an array of hashes");
        }
        if (node.isEmpty()) return null;
        byte[][] out = new byte[node.size()][];
        for (int i = 0; i < node.size(); i++) out[i] = hexBytes(node.get(i), 32, "topic " + position);
        return out;
    }

    private static boolean anyInBloom(byte[] bloom, int[][] values) {
        for (int[] v : values) {
            if (DevHashing.bloomContains(bloom, v)) return true;
        }
        return false;
    }

    private static int[][] bits(byte[][] values) {
        int[][] out = new int[values.length][];
        for (int i = 0; i < values.length; i++) out[i] = DevHashing.bloomBits(values[i], 0, values[i].length);
        return out;
    }

    /** Exactly {@code size} bytes as 0x-prefixed hex, or an invalid-params error naming {@code what}. */
    static byte[] hexBytes(JsonNode node, int size, String what) {
        if (node == null || !node.isTextual()) throw RpcError.invalidParams(what + " must be a hex string");
        String text = node.asText();
        if (!text.startsWith("0x") || text.length() != 2 + 2 * size) {
            throw RpcError.invalidParams(what + " must be 0x and " + 2 * size + " hex digits, got " + abbreviate(text));
        }
        try {
            return Hex.decode(text);
        } catch (IllegalArgumentException e) {
            throw RpcError.invalidParams(what + " is not hex: " + abbreviate(text));
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
