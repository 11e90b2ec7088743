package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answer to one JSON-RPC request: either a result (possibly JSON {@code null}) or an error object.
 *
 * @param source       the redacted endpoint that answered
 * @param method       the request's method
 * @param result       the result, {@code null} when the answer is an error or JSON {@code null}
 * @param errorCode    the error's code when {@link #isError()}
 * @param errorMessage the error's message when {@link #isError()}, else null
 */
record RpcResult(String source, String method, JsonNode result, java.util.List<dev.evmindexer.eth.Log> logs, int errorCode,
                 String errorMessage) {
    private static final int MAX_MESSAGE = 300;

    static RpcResult ok(String source, String method, JsonNode result) {
        return new RpcResult(source, method, result == null || result.isNull() || result.isMissingNode() ? null : result, null,
                0, null);
    }

    /** An array result already read, streaming, into checked logs (see {@link StreamingAnswers}). */
    static RpcResult logs(String source, String method, java.util.List<dev.evmindexer.eth.Log> logs) {
        return new RpcResult(source, method, null, logs, 0, null);
    }

    static RpcResult error(String source, String method, int code, String message) {
        String m = message == null ? "(no message)" : message;
        return new RpcResult(source, method, null, null, code, m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m);
    }

    boolean isError() {
        return errorMessage != null;
    }

    boolean isNull() {
        return !isError() && result == null && logs == null;
    }

    /** The result, which may be null; an error answer is a fault. */
    JsonNode orNull() {
        if (isError()) throw new RpcFault(describeError());
        return result;
    }

    /** The result, which must be present: an error or a null answer is a fault. */
    JsonNode required() {
        JsonNode r = orNull();
        if (r == null) throw new RpcFault(source + " answered null to " + method);
        return r;
    }

    String describeError() {
        return source + " answered " + method + " with error " + errorCode + ": " + errorMessage;
    }
}
