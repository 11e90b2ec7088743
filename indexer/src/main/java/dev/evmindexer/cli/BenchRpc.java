package dev.evmindexer.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The few JSON-RPC calls {@code bench --anvil} makes to the anvil it drives (building and checking its chain),
 * over the JDK's HTTP client. Not the indexer's RPC layer: nothing here retries, every failure is final. The
 * large payloads (a dumped state, a range of logs) are streamed, never held whole, so the bench runs in a small
 * heap.
 */
final class BenchRpc {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final URI uri;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    BenchRpc(URI uri) {
        this.uri = uri;
    }

    /** The {@code result} of one call; a JSON-RPC error or a transport failure raises, naming the method. */
    JsonNode call(String method, Object... params) throws IOException {
        JsonNode answer = post(JSON.writeValueAsBytes(request(1, method, params)), CALL_TIMEOUT);
        return result(method, answer);
    }

    /** One JSON-RPC batch; the results in request order. anvil runs a batch's calls concurrently, in no order. */
    List<JsonNode> batch(List<ObjectNode> requests) throws IOException {
        ArrayNode body = JSON.createArrayNode().addAll(requests);
        JsonNode answer = post(JSON.writeValueAsBytes(body), CALL_TIMEOUT);
        if (!answer.isArray() || answer.size() != requests.size()) {
            throw new IOException("batch of " + requests.size() + " answered with " + abbreviate(answer));
        }
        JsonNode[] byId = new JsonNode[requests.size()];
        for (JsonNode a : answer) byId[a.path("id").asInt()] = a;
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < byId.length; i++) out.add(result(requests.get(i).get("method").asText(), byId[i]));
        return out;
    }

    /** A request object with the given id, for {@link #batch}. */
    static ObjectNode request(int id, String method, Object... params) {
        ObjectNode r = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        ArrayNode p = r.putArray("params");
        for (Object o : params) p.add(JSON.valueToTree(o));
        return r;
    }

    /**
     * Calls a parameterless method whose result is one long {@code 0x} hex string (anvil_dumpState) and writes
     * the bytes it encodes to {@code file}, decoding as the answer arrives.
     */
    void hexResultToFile(String method, Path file, Duration timeout) throws IOException {
        HttpResponse<InputStream> response = send(HttpRequest.BodyPublishers.ofByteArray(
                JSON.writeValueAsBytes(request(1, method))), timeout);
        byte[] marker = "\"result\":\"0x".getBytes(StandardCharsets.US_ASCII);
        try (InputStream in = new BufferedInputStream(response.body(), 1 << 16);
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            int matched = 0;
            StringBuilder seen = new StringBuilder();
            while (matched < marker.length) {
                int b = in.read();
                if (b < 0) throw new IOException(method + " answered without a hex result: " + seen + new String(in.readAllBytes(), UTF_8));
                if (seen.length() < 400) seen.append((char) b);
                matched = b == marker[matched] ? matched + 1 : (b == marker[0] ? 1 : 0);
            }
            for (long n = 0; ; n++) {
                int hi = in.read();
                if (hi == '"') break;
                int lo = in.read();
                if (Character.digit(hi, 16) < 0 || Character.digit(lo, 16) < 0) {
                    throw new IOException(method + ": not a hex digit at byte " + n + " of the result");
                }
                out.write(Character.digit(hi, 16) << 4 | Character.digit(lo, 16));
            }
        }
    }

    /** Calls {@code method} with one parameter: the contents of {@code file} as {@code 0x} hex, streamed. */
    JsonNode hexParamFromFile(String method, Path file, Duration timeout) throws IOException {
        byte[] head = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[\"0x")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"]}".getBytes(StandardCharsets.US_ASCII);
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                InputStream hex = new HexStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
                return new SequenceInputStream(new ByteArrayInputStream(head),
                        new SequenceInputStream(hex, new ByteArrayInputStream(tail)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (InputStream in = send(body, timeout).body()) {
            return result(method, JSON.readTree(in));
        }
    }

    /** One log as the bench checks it. */
    record LogEntry(String address, long blockNumber, String data) {}

    /** {@code eth_getLogs}, each log handed to {@code sink} as it is parsed from the answer; returns the count. */
    long logs(ObjectNode filter, Consumer<LogEntry> sink) throws IOException {
        HttpResponse<InputStream> response = send(HttpRequest.BodyPublishers.ofByteArray(
                JSON.writeValueAsBytes(request(1, "eth_getLogs", filter))), CALL_TIMEOUT);
        long n = 0;
        try (JsonParser p = JSON.getFactory().createParser(response.body())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("eth_getLogs: not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("error")) throw new IOException("eth_getLogs failed: " + JSON.readTree(p));
                if (!field.equals("result") || value != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    String address = null;
                    String data = null;
                    long block = -1;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        switch (name) {
                            case "address" -> address = p.getText();
                            case "data" -> data = p.getText();
                            case "blockNumber" -> block = dev.evmindexer.eth.Hex.quantity(p.getText());
                            default -> p.skipChildren();
                        }
                    }
                    sink.accept(new LogEntry(address, block, data));
                    n++;
                }
            }
        }
        return n;
    }

    private JsonNode post(byte[] body, Duration timeout) throws IOException {
        try (InputStream in = send(HttpRequest.BodyPublishers.ofByteArray(body), timeout).body()) {
            return JSON.readTree(in);
        }
    }

    private HttpResponse<InputStream> send(HttpRequest.BodyPublisher body, Duration timeout) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
                .POST(body).build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                try (InputStream in = response.body()) {
                    throw new IOException("HTTP " + response.statusCode() + " from " + uri + ": "
                            + new String(in.readNBytes(400), StandardCharsets.UTF_8));
                }
            }
            return response;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted calling " + uri, e);
        }
    }

    private static JsonNode result(String method, JsonNode answer) throws IOException {
        if (answer == null || answer.has("error") || !answer.has("result")) {
            throw new IOException(method + " failed: " + abbreviate(answer));
        }
        return answer.get("result");
    }

    private static String abbreviate(JsonNode node) {
        String s = String.valueOf(node);
        return s.length() <= 400 ? s : s.substring(0, 400) + "...";
    }

    /** Lower-case hex of the wrapped stream: two bytes out per byte in. */
    private static final class HexStream extends InputStream {
        private final InputStream in;
        private int pending = -1;

        HexStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (pending >= 0) {
                int c = pending;
                pending = -1;
                return c;
            }
            int b = in.read();
            if (b < 0) return -1;
            pending = HEX[b & 0xF];
            return HEX[b >> 4];
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (len == 0) return 0;
            int n = 0;
            if (pending >= 0) {
                buf[off + n++] = (byte) pending;
                pending = -1;
            }
            byte[] raw = new byte[(len - n) / 2];
            int got = raw.length == 0 ? 0 : in.read(raw);
            for (int i = 0; i < got; i++) {
                buf[off + n++] = HEX[(raw[i] >> 4) & 0xF];
                buf[off + n++] = HEX[raw[i] & 0xF];
            }
            if (n == 0) {
                int c = read();
                if (c < 0) return -1;
                buf[off] = (byte) c;
                return 1;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
