package dev.evmindexer.daemon;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Exactly one tip writer per chain: a session advisory lock held on a dedicated connection. If that
 * connection is lost, so is the lock; {@link #ensureHeld()} notices before the next step and tries to
 * take it again, so the writer never writes without it.
 */
public final class ChainLease implements AutoCloseable {
    private static final long KEY_PREFIX = 0x65766d69L << 32; // "evmi"

    private final DataSource ds;
    private final long chainId;
    private final String chainName;
    private Connection conn;

    public ChainLease(DataSource ds, long chainId, String chainName) {
        this.ds = ds;
        this.chainId = chainId;
        this.chainName = chainName;
    }

    /** "evmi" in the high half, mixed with the whole chain id (ids above 2^32 exist). */
    static long key(long chainId) {
        long mixed = chainId * 0x9E3779B97F4A7C15L;
        return KEY_PREFIX ^ (mixed ^ (mixed >>> 32)) & 0xffffffffL;
    }

    /** Takes or re-checks the lock. Throws {@link LeaseException} naming the holder when another process has it. */
    public void ensureHeld() throws SQLException {
        if (conn != null && conn.isValid(2)) return;
        closeQuietly();
        Connection c = ds.getConnection();
        boolean held = false;
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key(chainId));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new LeaseException("chain " + chainName + " (id " + chainId + ") is already indexed by another "
                            + "process on this database: " + holder(c));
                }
                held = true;
            }
        } finally {
            if (!held) c.close();
        }
        conn = c;
    }

    private String holder(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, a.application_name, a.client_addr, a.backend_start "
                + "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                + "AND l.classid::int8 = ? AND l.objid::int8 = ? LIMIT 1")) {
            long key = key(chainId);
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xffffffffL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return "holder unknown (it may just have exited)";
                return "backend pid " + rs.getInt(1) + ", application '" + rs.getString(2) + "', client "
                        + (rs.getString(3) == null ? "local socket" : rs.getString(3)) + ", connected since " + rs.getString(4);
            }
        }
    }

    private void closeQuietly() {
        if (conn == null) return;
        try {
            conn.close();
        } catch (SQLException ignored) {
            // the connection is already broken; the lock went with it
        }
        conn = null;
    }

    @Override
    public void close() {
        closeQuietly();
    }

    /** Another process holds the chain. */
    public static final class LeaseException extends RuntimeException {
        public LeaseException(String message) {
            super(message);
        }
    }
}
