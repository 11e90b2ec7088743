package dev.evmindexer.devchain;

/** A JSON-RPC error answer: thrown while preparing a call, written as {@code {"code", "message"}}. */
final class RpcError extends RuntimeException {
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    /** Geth's generic server error, used for "unknown block". */
    static final int SERVER_ERROR = -32000;

    final int code;

    RpcError(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    static RpcError invalidParams(String message) {
        return new RpcError(INVALID_PARAMS, "invalid params: " + message);
    }
}
