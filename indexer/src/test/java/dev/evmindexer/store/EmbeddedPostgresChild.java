package dev.evmindexer.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Child JVM for the kill -9 test: starts the embedded server on the directory given as the only argument,
 * writes one row, prints {@code READY <port>} and then waits to be killed.
 */
public final class EmbeddedPostgresChild {

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]), 0);
        Properties props = new Properties();
        props.setProperty("user", server.user());
        props.setProperty("password", server.password());
        try (Connection c = new Driver().connect(server.jdbcUrl(), props); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE written_by_child (x int)");
            s.execute("INSERT INTO written_by_child VALUES (42)");
        }
        System.out.println("READY " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
