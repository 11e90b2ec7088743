package dev.evmindexer.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON-RPC batch answer with Jackson's streaming parser. In an exchange of {@code eth_getLogs} calls array
 * results go straight into {@link Log}s, with the same strict checks as {@link Answers#log}; other results, and the
 * arrays of other methods ({@code eth_getBlockReceipts}, never batched with {@code eth_getLogs}), become trees. This is the backfill's hot path: no intermediate
 * tree and no strings for the hex fields of millions of logs.
 */
final class StreamingAnswers {
    private static final ObjectMapper TREES = new ObjectMapper();
    private static final JsonFactory FACTORY = TREES.getFactory();

    /** Hex digit values by character, -1 for anything else: much cheaper than Character.digit on this path. */
    private static final byte[] NIBBLE = new byte[128];

    static {
        java.util.Arrays.fill(NIBBLE, (byte) -1);
        for (int i = 0; i < 10; i++) NIBBLE['0' + i] = (byte) i;
        for (int i = 0; i < 6; i++) {
            NIBBLE['a' + i] = (byte) (10 + i);
            NIBBLE['A' + i] = (byte) (10 + i);
        }
    }

    private StreamingAnswers() {}

    private static int nibble(char ch) {
        return ch < 128 ? NIBBLE[ch] : -1;
    }

    /** A batch answer that was a single object: the endpoint does not take batches (or refused this one). */
    static final class NotABatch extends RuntimeException {
        NotABatch() {
            super("a single object answered a batch", null, false, false);
        }
    }

    /**
     * Most logs and bytes one answer may hold: an answer over either is abandoned while it streams in (an
     * {@link RpcFault.Oversized}), so no answer can take more memory than its caller planned for.
     */
    record Limits(long maxLogs, long maxBytes) {
        static final Limits NONE = new Limits(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * The answers of a batch, ordered like the calls whose ids are in {@code positionById}; entries the
     * endpoint left out stay null (the caller says so). A malformed envelope or log is an {@link RpcFault}.
     */
    static Object[] parse(InputStream in, Map<Long, Integer> positionById, Endpoint from, Limits limits) throws IOException {
        return parse(in, positionById, from, limits, true);
    }

    /** As {@link #parse(InputStream, Map, Endpoint, Limits)}; array results are logs only when {@code arraysAreLogs}. */
    static Object[] parse(InputStream in, Map<Long, Integer> positionById, Endpoint from, Limits limits,
            boolean arraysAreLogs) throws IOException {
        Object[] out = new Object[positionById.size()];
        try (JsonParser p = FACTORY.createParser(capped(in, limits))) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) throw new NotABatch();
            if (first != JsonToken.START_ARRAY) throw Answers.bad(from, "a batch answer that is not a JSON array");
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.START_OBJECT) throw Answers.bad(from, "a batch answer with an element that is not an object");
                Answer a = answer(p, from, limits, arraysAreLogs);
                Integer pos = a.id == null ? null : positionById.get(a.id);
                if (pos == null || out[pos] != null) throw Answers.bad(from, "a batch with an unknown or repeated id " + a.id);
                out[pos] = a;
            }
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            throw cutOff(from);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw Answers.bad(from, "malformed JSON (" + e.getOriginalMessage() + ")");
        }
        return out;
    }

    /** The answer to a single call (its id is not checked: there is only one). */
    static Answer parseOne(InputStream in, Endpoint from, Limits limits) throws IOException {
        return parseOne(in, from, limits, true);
    }

    static Answer parseOne(InputStream in, Endpoint from, Limits limits, boolean arraysAreLogs) throws IOException {
        try (JsonParser p = FACTORY.createParser(capped(in, limits))) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw Answers.bad(from, "an answer that is not a JSON object");
            return answer(p, from, limits, arraysAreLogs);
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            throw cutOff(from);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw Answers.bad(from, "malformed JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static RpcFault cutOff(Endpoint from) {
        return new RpcFault(RpcFault.Kind.CUT_OFF, from.name() + " cut its answer off mid-way");
    }

    private static InputStream capped(InputStream in, Limits limits) {
        if (limits.maxBytes() == Long.MAX_VALUE) return in;
        return new java.io.FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) count(1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) count(n);
                return n;
            }

            private void count(int n) {
                read += n;
                if (read > limits.maxBytes()) {
                    throw new RpcFault.Oversized("an answer of more than " + limits.maxBytes() + " bytes", -1);
                }
            }
        };
    }

    /** One response object: its id, and its logs, its result tree, or its error. */
    record Answer(Long id, List<Log> logs, JsonNode result, Integer errorCode, String errorMessage) {}

    private static Answer answer(JsonParser p, Endpoint from, Limits limits, boolean arraysAreLogs) throws IOException {
        Long id = null;
        List<Log> logs = null;
        JsonNode result = null;
        Integer code = null;
        String message = null;
        JsonToken next;
        while ((next = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> id = id(p, t);
                case "result" -> {
                    if (t == JsonToken.START_ARRAY && arraysAreLogs) logs = logs(p, from, limits);
                    else result = TREES.readTree(p);
                }
                case "error" -> {
                    if (t == JsonToken.VALUE_NULL) break; // "error": null beside a result means no error
                    JsonNode e = TREES.readTree(p);
                    code = e.path("code").asInt(0);
                    message = e.path("message").asText("(no message)");
                    JsonNode data = e.get("data");
                    if (data != null && !data.isNull()) message += " (data: " + (data.isTextual() ? data.asText() : data) + ")";
                }
                default -> p.skipChildren();
            }
        }
        if (next != JsonToken.END_OBJECT) throw Answers.bad(from, "a batch answer that is cut off");
        return new Answer(id, logs, result, code, message);
    }

    /** A numeric id, or a string holding one (some proxies quote ids); anything else is no id. */
    private static Long id(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) return p.getLongValue();
        if (t == JsonToken.VALUE_STRING) {
            try {
                return Long.parseLong(p.getText());
            } catch (NumberFormatException notOurs) {
                return null;
            }
        }
        p.skipChildren();
        return null;
    }

    private static List<Log> logs(JsonParser p, Endpoint from, Limits limits) throws IOException {
        List<Log> out = new ArrayList<>();
        Shared shared = new Shared();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) throw Answers.bad(from, "a log that is not an object");
            if (out.size() >= limits.maxLogs()) {
                throw new RpcFault.Oversized("an answer of more than " + limits.maxLogs() + " logs",
                        out.getLast().blockNumber());
            }
            out.add(log(p, from, shared));
        }
        return out;
    }

    /**
     * The values the previous log of an answer had: consecutive logs mostly share their block, transaction, contract
     * and event, so one object serves them all instead of a copy per log.
     */
    private static final class Shared {
        Hash blockHash;
        Hash txHash;
        Hash topic0;
        Address address;

        Hash block(byte[] b) {
            if (blockHash == null || !java.util.Arrays.equals(blockHash.unsafeBytes(), b)) blockHash = Hash.of(b);
            return blockHash;
        }

        Hash tx(byte[] b) {
            if (txHash == null || !java.util.Arrays.equals(txHash.unsafeBytes(), b)) txHash = Hash.of(b);
            return txHash;
        }

        Hash topic0(byte[] b) {
            if (topic0 == null || !java.util.Arrays.equals(topic0.unsafeBytes(), b)) topic0 = Hash.of(b);
            return topic0;
        }

        Address address(byte[] b) {
            if (address == null || !java.util.Arrays.equals(address.unsafeBytes(), b)) address = Address.of(b);
            return address;
        }
    }

    private static Log log(JsonParser p, Endpoint from, Shared shared) throws IOException {
        Address address = null;
        List<Hash> topics = null;
        byte[] data = null;
        long blockNumber = -1;
        long txIndex = -1;
        long logIndex = -1;
        Hash blockHash = null;
        Hash txHash = null;
        JsonToken next;
        while ((next = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "address" -> address = shared.address(fixed(p, t, 20, field, from));
                case "topics" -> {
                    if (t != JsonToken.START_ARRAY) throw Answers.bad(from, "a log whose topics are not an array");
                    topics = new ArrayList<>(4);
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (topics.size() == 4) throw Answers.bad(from, "a log with more than 4 topics");
                        byte[] topic = fixed(p, p.currentToken(), 32, field, from);
                        topics.add(topics.isEmpty() ? shared.topic0(topic) : Hash.of(topic));
                    }
                }
                case "data" -> data = hex(p, t, field, from);
                case "blockNumber" -> blockNumber = quantity(p, t, field, from);
                case "blockHash" -> blockHash = shared.block(fixed(p, t, 32, field, from));
                case "transactionHash" -> txHash = shared.tx(fixed(p, t, 32, field, from));
                case "transactionIndex" -> txIndex = quantity(p, t, field, from);
                case "logIndex" -> logIndex = quantity(p, t, field, from);
                case "removed" -> {
                    if (t == JsonToken.VALUE_TRUE) throw Answers.bad(from, "a log marked removed");
                }
                default -> p.skipChildren();
            }
        }
        if (next != JsonToken.END_OBJECT) throw Answers.bad(from, "a log that is cut off");
        if (address == null || topics == null || data == null || blockNumber < 0 || blockHash == null || txHash == null
                || txIndex < 0 || logIndex < 0) {
            throw Answers.bad(from, "a log without one of address, topics, data, blockNumber, blockHash, transactionHash, "
                    + "transactionIndex, logIndex");
        }
        if (txIndex > Integer.MAX_VALUE || logIndex > Integer.MAX_VALUE) throw Answers.bad(from, "a log index out of range");
        return new Log(address, topics, data, blockNumber, blockHash, txHash, (int) txIndex, (int) logIndex);
    }

    private static byte[] fixed(JsonParser p, JsonToken t, int size, String field, Endpoint from) throws IOException {
        byte[] b = hex(p, t, field, from);
        if (b.length != size) throw Answers.bad(from, field + " of " + b.length + " bytes, not " + size);
        return b;
    }

    /** 0x-prefixed hex with an even number of digits, decoded from the parser's own buffer. */
    private static byte[] hex(JsonParser p, JsonToken t, String field, Endpoint from) throws IOException {
        if (t != JsonToken.VALUE_STRING) throw Answers.bad(from, field + " that is not a hex string");
        char[] c = p.getTextCharacters();
        int off = p.getTextOffset();
        int len = p.getTextLength();
        if (len < 2 || c[off] != '0' || (c[off + 1] != 'x' && c[off + 1] != 'X') || (len & 1) != 0) {
            throw Answers.bad(from, field + " that is not 0x-prefixed hex of whole bytes");
        }
        byte[] out = new byte[(len - 2) / 2];
        for (int i = 0, j = off + 2; i < out.length; i++, j += 2) {
            int hi = nibble(c[j]);
            int lo = nibble(c[j + 1]);
            if ((hi | lo) < 0) throw Answers.bad(from, field + " that is not valid hex");
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    private static long quantity(JsonParser p, JsonToken t, String field, Endpoint from) throws IOException {
        if (t != JsonToken.VALUE_STRING) throw Answers.bad(from, field + " that is not a hex string");
        char[] c = p.getTextCharacters();
        int off = p.getTextOffset();
        int len = p.getTextLength();
        if (len < 3 || len > 17 || c[off] != '0' || c[off + 1] != 'x') throw Answers.bad(from, field + " that is not a hex quantity");
        long v = 0;
        for (int j = off + 2; j < off + len; j++) {
            int d = nibble(c[j]);
            if (d < 0) throw Answers.bad(from, field + " that is not a hex quantity");
            v = v << 4 | d;
        }
        return v;
    }
}
