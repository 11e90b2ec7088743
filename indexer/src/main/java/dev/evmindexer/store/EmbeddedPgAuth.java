package dev.evmindexer.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.PGConnection;

/**
 * Who may connect to the embedded server: its superuser, with a password generated when the cluster is created
 * and kept in {@code <data dir>/password} (mode 0600, the only copy besides {@code pgpass}, the same secret in
 * libpq's format for {@code PGPASSFILE=... psql}). The server accepts password (scram-sha-256) connections over
 * 127.0.0.1 only. The password is never logged or printed.
 */
final class EmbeddedPgAuth {

    static final String PASSWORD_FILE = "password";
    static final String PGPASS_FILE = "pgpass";
    private static final int SECRET_BYTES = 32;
    private static final String HBA = """
            # Written by evm-indexer: the embedded server takes password (scram-sha-256) connections over 127.0.0.1
            # only; the password is in the file "password" beside the cluster directory (mode 0600).
            host all all 127.0.0.1/32 scram-sha-256
            host replication all 127.0.0.1/32 scram-sha-256
            """;

    private EmbeddedPgAuth() {
    }

    /**
     * The password for a cluster about to be created (or moved off trust): the one already in {@code dir/password}
     * (an operator may put their own there before the first start), else a new random one; {@code password} and
     * {@code pgpass} are written with mode 0600.
     */
    static String createOrKeepSecret(Path dir, String user) throws IOException {
        String password;
        if (Files.exists(dir.resolve(PASSWORD_FILE))) {
            password = readSecret(dir);
        } else {
            byte[] random = new byte[SECRET_BYTES];
            new SecureRandom().nextBytes(random);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(random); // safe in URLs and shells
            writePrivate(dir.resolve(PASSWORD_FILE), password + "\n");
        }
        writePgpass(dir, user, password);
        return password;
    }

    /** The password of an existing cluster, with {@code pgpass} written again if it went missing. */
    static String existingSecret(Path dir, String user) throws IOException {
        String password = readSecret(dir);
        if (!Files.exists(dir.resolve(PGPASS_FILE))) {
            writePgpass(dir, user, password);
        }
        return password;
    }

    private static void writePgpass(Path dir, String user, String password) throws IOException {
        String escaped = password.replace("\\", "\\\\").replace(":", "\\:");
        writePrivate(dir.resolve(PGPASS_FILE), "127.0.0.1:*:*:" + user + ":" + escaped + "\n");
    }

    /** The password stored in {@code dir}; a missing or unreadable file is an error that says what to do. */
    static String readSecret(Path dir) {
        Path file = dir.resolve(PASSWORD_FILE);
        try {
            String password = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (password.isEmpty()) {
                throw new IllegalStateException(file + " is empty: the embedded PostgreSQL's password is lost");
            }
            return password;
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("the embedded PostgreSQL in " + dir + " has no password file " + file
                    + " (it was created by an earlier version and its owner still runs it, or the file was deleted):"
                    + " restart the process that runs it, or restore the file");
        } catch (AccessDeniedException e) {
            throw new IllegalStateException("cannot read " + file + ": the embedded PostgreSQL in " + dir
                    + " belongs to another user; run as that user or configure a database URL");
        } catch (IOException e) {
            throw new IllegalStateException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    /** True when the cluster's {@code pg_hba.conf} has a {@code trust} line (clusters made by earlier versions). */
    static boolean trustsLocalUsers(Path cluster) throws IOException {
        for (String line : Files.readAllLines(cluster.resolve("pg_hba.conf"), StandardCharsets.UTF_8)) {
            String rule = line.replaceFirst("#.*", "").strip();
            if (!rule.isEmpty() && List.of(rule.split("\\s+")).contains("trust")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Moves a running cluster from trust to password authentication: sets the superuser's password (hashed by
     * the driver, so the server never sees it in clear), replaces {@code pg_hba.conf} and reloads the server.
     */
    static void migrateFromTrust(Path cluster, int port, String user, String password) throws IOException {
        Properties props = new Properties();
        props.setProperty("user", user);
        try (Connection c = new Driver().connect("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
             Statement s = c.createStatement()) {
            c.unwrap(PGConnection.class).alterUserPassword(user, password.toCharArray(), "scram-sha-256");
            writeHba(cluster);
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("switching the embedded PostgreSQL in " + cluster
                    + " from trust to password authentication failed: " + e.getMessage(), e);
        }
    }

    /** Our {@code pg_hba.conf}, written in place (so it keeps its owner, the server's user). */
    static void writeHba(Path cluster) throws IOException {
        Files.writeString(cluster.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
