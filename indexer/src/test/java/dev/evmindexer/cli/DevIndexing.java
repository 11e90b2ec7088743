package dev.evmindexer.cli;

import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.testsupport.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Random;

/** A devchain served over real JSON-RPC, a fresh test database, and a config file for both. */
final class DevIndexing implements AutoCloseable {
    static final long CHAIN_ID = 1337;
    static final int FINALITY_DEPTH = 12;

    final DevChain chain;
    final DevChainServer server;
    final String dbUrl;
    final Path config;

    private DevIndexing(DevChain chain, DevChainServer server, String dbUrl, Path config) {
        this.chain = chain;
        this.server = server;
        this.dbUrl = dbUrl;
        this.config = config;
    }

    /** {@code blocks} blocks with about {@code logsPerBlock} logs each, most of them token transfers. */
    static DevIndexing start(Path dir, int blocks, int logsPerBlock) throws Exception {
        DevChain chain = new DevChain(CHAIN_ID, FINALITY_DEPTH);
        chain.pregenerate(blocks, logsPerBlock, new Random(7));
        DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0));
        String url = TestPostgres.newDatabase();
        StringBuilder addresses = new StringBuilder();
        for (var a : DevChain.TOKENS) addresses.append(addresses.isEmpty() ? "" : ", ").append(a.hex());
        String yaml = """
                database:
                  url: "%s"
                  user: %s
                chains:
                  - name: dev
                    chain_id: %d
                    rpc:
                      - url: %s
                    finality: finalized
                    poll_interval: 100ms
                sources:
                  - name: tokens
                    chain: dev
                    addresses: [%s]
                    start_block: 0
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: transfers
                ops: {port: 0, max_lag_blocks: 3}
                """.formatted(url, TestPostgres.user(), CHAIN_ID, server.url(), addresses);
        Path file = dir.resolve("indexer.yaml");
        Files.writeString(file, yaml);
        return new DevIndexing(chain, server, url, file);
    }

    Wiring open(String application) throws Exception {
        return Wiring.load(config).openDatabase(application);
    }

    long scalar(String sql) throws Exception {
        try (Connection c = TestPostgres.connect(dbUrl); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void execute(String sql) throws Exception {
        try (Connection c = TestPostgres.connect(dbUrl)) {
            c.createStatement().execute(sql);
        }
    }

    /** Waits until the stored tip is the devchain's head. */
    void awaitTip() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (scalar("SELECT coalesce(max(block_number), -1) FROM indexer.headers") < chain.head()) {
            if (System.nanoTime() > deadline) throw new AssertionError("the daemon did not reach head #" + chain.head());
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
