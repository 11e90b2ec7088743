package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/** How transport failures and HTTP error statuses are told apart: throttling, timeouts, batch refusals. */
final class HttpErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DETAIL = 300;

    /** Lower-case fragments of throttling errors (HTTP 429 bodies, Infura -32005, Alchemy, QuickNode ...). */
    private static final List<String> RATE_LIMIT = List.of(
            "rate limit", "too many requests", "request rate", "exceeded its compute units", "compute units per second",
            "requests per second", "request limit reached", "daily request count exceeded", "capacity exceeded",
            "throughput exceeded");

    /** Lower-case fragments of batch refusals. */
    private static final List<String> BATCH_REFUSAL = List.of(
            "batch size", "batch limit", "batch requests", "batch request", "batch too large", "batch is too large",
            "batching");

    /** An HTTP error status, with the JSON-RPC error in its body where there is one. */
    record Status(int code, String body, int rpcCode, String message) {}

    private HttpErrors() {}

    /** An answer with an HTTP error status (not 2xx), and its body as text (empty when there was none). */
    static final class StatusException extends java.io.IOException {
        private static final long serialVersionUID = 1L;
        final int code;
        final String body;

        StatusException(int code, String body) {
            super("HTTP " + code, null);
            this.code = code;
            this.body = body;
        }
    }

    /** The HTTP status of a failed call, or null when the failure was not an HTTP error status. */
    static Status status(Exception e) {
        if (!(e instanceof StatusException se)) return null;
        int code = se.code;
        String body = se.body;
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode error = n == null ? null : n.get("error");
            if (error != null && error.isObject()) {
                String message = error.path("message").asText("(no message)");
                JsonNode data = error.get("data");
                if (data != null && !data.isNull()) message += " (data: " + (data.isTextual() ? data.asText() : data) + ")";
                return new Status(code, body, error.path("code").asInt(0), message);
            }
        } catch (java.io.IOException | RuntimeException notJson) {
            // an HTML or plain-text error page
        }
        return new Status(code, body, 0, null);
    }

    /** A throttling message; one about batches is a batch refusal instead ("too many requests in batch"). */
    static boolean isRateLimit(String message) {
        return containsAny(message, RATE_LIMIT) && !containsAny(message, List.of("batch"));
    }

    static boolean isBatchRefusal(String message) {
        return containsAny(message, BATCH_REFUSAL);
    }

    static boolean isTimeout(Exception e) {
        if (e instanceof SocketTimeoutException) return true;
        return e instanceof InterruptedIOException && e.getMessage() != null
                && e.getMessage().toLowerCase(Locale.ROOT).contains("timeout");
    }

    /** Removes the URL (and its path, where keys live) from a third-party message, and shortens it. */
    static String scrub(String message, String url, String redacted) {
        if (message == null) return "";
        String m = message.replace(url, redacted);
        try {
            String path = URI.create(url.trim()).getRawPath();
            if (path != null && path.length() > 1) m = m.replace(path, "/…");
        } catch (IllegalArgumentException ignored) {
            // EndpointSpec already validated the URL; nothing more to hide.
        }
        m = m.replace('\n', ' ');
        return m.length() > MAX_DETAIL ? m.substring(0, MAX_DETAIL) + "..." : m;
    }

    private static boolean containsAny(String message, List<String> fragments) {
        if (message == null) return false;
        String m = message.toLowerCase(Locale.ROOT);
        return fragments.stream().anyMatch(m::contains);
    }
}
