package dev.evmindexer.rpc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Shared helpers of the rpc unit tests. */
final class RpcTesting {
    /** Short backoffs so retry paths run in milliseconds. */
    static final EndpointPool.Settings FAST = new EndpointPool.Settings(5, Duration.ofMillis(1), Duration.ofMillis(5), 3);

    private RpcTesting() {}

    static RpcChainSource connect(long chainId, boolean bloomChecks, long maxBlockRange, String... urls) {
        List<EndpointSpec> specs = new ArrayList<>();
        for (String url : urls) specs.add(new EndpointSpec(url, Duration.ofSeconds(5), 50, maxBlockRange));
        return RpcChainSource.connect("test", chainId, specs, bloomChecks, FAST);
    }

    static RpcChainSource connect(long chainId, String... urls) {
        return connect(chainId, true, EndpointSpec.DEFAULT_MAX_BLOCK_RANGE, urls);
    }

    /** A URL on a loopback port where nothing listens (bound, then released). */
    static String deadUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + s.getLocalPort() + "/v3/SECRETKEY123";
        }
    }
}
