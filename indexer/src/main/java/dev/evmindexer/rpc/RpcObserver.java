package dev.evmindexer.rpc;

/**
 * Told about every JSON-RPC exchange with an endpoint, for metrics; the rpc package itself stays free of
 * any metrics library. Called on the calling thread: implementations must be fast and thread-safe.
 */
@FunctionalInterface
public interface RpcObserver {
    RpcObserver NONE = (endpoint, method, nanos, failed) -> {};

    /**
     * One exchange finished (answered, failed or refused).
     *
     * @param endpoint the endpoint's redacted name (scheme, host, port: never a key)
     * @param method   the JSON-RPC method, or {@code batch} for a batch
     * @param nanos    wall time of the exchange
     * @param failed   a transport fault, a malformed envelope or an error answer
     */
    void completed(String endpoint, String method, long nanos, boolean failed);
}
