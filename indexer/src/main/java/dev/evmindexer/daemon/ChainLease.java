package dev.evmindexer.daemon;

import dev.evmindexer.store.PgEventStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership of one chain's tip (ARCHITECTURE.md, several processes): a session advisory lock held on a dedicated
 * connection, plus a heartbeat in the chain's row. Taking the lock bumps the chain's {@code leader_generation}, the
 * fencing token every tip write checks ({@link Fence}), so a leader that lost the lease can never write after the next
 * one started.
 *
 * <p>A dead leader is noticed without PostgreSQL's TCP defaults (about two hours): {@code kill -9} closes its socket
 * and frees the lock at once; the lease session asks the server for keepalives every few seconds, which ends a
 * partitioned session within {@link #SERVER_KEEPALIVE}; and a standby that finds the heartbeat ({@code leader_until})
 * older than {@link #EXPIRY} ends the silent holder's session itself ({@code pg_terminate_backend}) and takes over.
 */
public final class ChainLease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChainLease.class);
    private static final long KEY_PREFIX = 0x65766d69L << 32; // "evmi"
    /** How often the leader writes its heartbeat. */
    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    /** A heartbeat this old means the leader is gone, whatever its session says. */
    static final Duration EXPIRY = Duration.ofSeconds(8);
    /** The server ends a lease session whose client stopped answering keepalives after about this long. */
    static final Duration SERVER_KEEPALIVE = Duration.ofSeconds(11);

    /** Where the current leader generation goes: the store checks it in every tip write. */
    public interface Fence {
        Fence NONE = new Fence() {
            @Override
            public void lead(long chainId, long generation) {}

            @Override
            public void unlead(long chainId) {}
        };

        void lead(long chainId, long generation);

        void unlead(long chainId);
    }

    private final DataSource ds;
    private final long chainId;
    private final String chainName;
    private final String me;
    private final Fence fence;
    private Connection conn;
    private long generation = -1;
    private volatile boolean lost;
    private volatile String leader;
    private Thread heartbeat;

    public ChainLease(DataSource ds, long chainId, String chainName, String me, Fence fence) {
        this.ds = ds;
        this.chainId = chainId;
        this.chainName = chainName;
        this.me = me;
        this.fence = fence;
    }

    /** "evmi" in the high half, mixed with the whole chain id (ids above 2^32 exist). */
    static long key(long chainId) {
        long mixed = chainId * 0x9E3779B97F4A7C15L;
        return KEY_PREFIX ^ ((mixed ^ (mixed >>> 32)) & 0xffffffffL);
    }

    /**
     * Leads the chain if it can: true when this process holds the lease (kept, or just taken: then with a new
     * generation); false when another live process leads it ({@link #leader()} says which).
     */
    public boolean lead() throws SQLException {
        if (conn != null && !lost) return true;
        if (conn != null) {
            log.warn("lease.lost chain={} generation={}: back to standby until the lease is free", chainName, generation);
            release();
        }
        Connection c = ds.getConnection();
        boolean held = false;
        try {
            try (Statement s = c.createStatement()) {
                // the server probes this session every 2 s after 5 s of silence and ends it after 3 missed probes
                s.execute("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3; "
                        + "SET tcp_user_timeout = 10000");
            }
            held = tryLock(c) || (endSilentLeader(c) && tryLock(c));
            if (!held) return false;
            generation = takeOver(c);
        } finally {
            if (!held) c.close();
        }
        conn = c;
        lost = false;
        leader = null;
        fence.lead(chainId, generation);
        heartbeat = Thread.ofVirtual().name("lease-" + chainName).start(this::beat);
        log.info("lease.taken chain={} generation={} leader=\"{}\"", chainName, generation, me);
        return true;
    }

    /** A write was refused by the fence: another process leads now; the next {@link #lead} lets go and checks. */
    public void fenced() {
        lost = true;
    }

    /** The leader as the chain's row names it, when another process leads. */
    public String leader() {
        return leader;
    }

    public long generation() {
        return generation;
    }

    /** Takes the lock if it is free; otherwise notes who holds it. */
    private boolean tryLock(Connection c) throws SQLException {
        if (tryLockQuietly(c)) return true;
        leader = holder(c);
        return false;
    }

    /**
     * When the chain's heartbeat is older than {@link #EXPIRY}, ends the session that still holds the lock (a leader
     * cut off from the database, or hung) so the lock is free; true when it did.
     */
    private boolean endSilentLeader(Connection c) throws SQLException {
        long k = key(chainId);
        try (PreparedStatement ps = c.prepareStatement("SELECT l.pid, pg_terminate_backend(l.pid) FROM pg_locks l, indexer.chains ch "
                + "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::int8 = ? AND l.objid::int8 = ? AND l.objsubid = 1 "
                + "AND ch.chain_id = ? AND ch.leader_until < now()")) {
            ps.setLong(1, k >>> 32);
            ps.setLong(2, k & 0xffffffffL);
            ps.setLong(3, chainId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return false;
                log.warn("lease.silent_leader chain={} leader=\"{}\" backend_pid={} ended={}: no heartbeat for {}s", chainName,
                        leader, rs.getInt(1), rs.getBoolean(2), EXPIRY.toSeconds());
                if (!rs.getBoolean(2)) return false;
            }
        } catch (SQLException e) {
            log.warn("lease.silent_leader chain={} cannot end the holder's session: {}", chainName, e.getMessage());
            return false;
        }
        for (int i = 0; i < 50; i++) { // the ended backend lets go of its locks as it exits
            if (tryLockQuietly(c)) return true;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private boolean tryLockQuietly(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key(chainId));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Bumps the generation (fencing the previous leader) and writes the first heartbeat; returns the new generation. */
    private long takeOver(Connection c) throws SQLException {
        PgEventStore.chainRow(c, chainId);
        try (PreparedStatement ps = c.prepareStatement("UPDATE indexer.chains SET leader_generation = leader_generation + 1, "
                + "leader = ?, leader_until = now() + make_interval(secs => ?) WHERE chain_id = ? RETURNING leader_generation")) {
            ps.setString(1, me);
            ps.setDouble(2, EXPIRY.toMillis() / 1000.0);
            ps.setLong(3, chainId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The heartbeat: on the lease's own session, only while the generation is still ours; else the lease is lost. */
    private void beat() {
        Connection c = conn;
        long g = generation;
        while (!lost) {
            try {
                Thread.sleep(HEARTBEAT);
                try (PreparedStatement ps = c.prepareStatement("UPDATE indexer.chains SET leader_until = now() + "
                        + "make_interval(secs => ?) WHERE chain_id = ? AND leader_generation = ?")) {
                    ps.setQueryTimeout((int) Math.max(1, EXPIRY.minus(HEARTBEAT).toSeconds()));
                    ps.setDouble(1, EXPIRY.toMillis() / 1000.0);
                    ps.setLong(2, chainId);
                    ps.setLong(3, g);
                    if (ps.executeUpdate() == 0) {
                        log.warn("lease.fenced chain={} generation={}: another process took the chain over", chainName, g);
                        lost = true;
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (SQLException e) {
                log.warn("lease.heartbeat_failed chain={} cause=\"{}\"", chainName, e.getMessage());
                lost = true;
            }
        }
    }

    private String holder(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ch.leader, a.pid, a.application_name, a.client_addr, "
                + "a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid LEFT JOIN indexer.chains ch "
                + "ON ch.chain_id = ? WHERE l.locktype = 'advisory' AND l.granted AND l.classid::int8 = ? "
                + "AND l.objid::int8 = ? LIMIT 1")) {
            long key = key(chainId);
            ps.setLong(1, chainId);
            ps.setLong(2, key >>> 32);
            ps.setLong(3, key & 0xffffffffL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return "holder unknown (it may just have exited)";
                return (rs.getString(1) == null ? "" : rs.getString(1) + ", ") + "backend pid " + rs.getInt(2)
                        + ", application '" + rs.getString(3) + "', client "
                        + (rs.getString(4) == null ? "local socket" : rs.getString(4)) + ", connected since " + rs.getString(5);
            }
        }
    }

    private void release() {
        if (heartbeat != null) heartbeat.interrupt();
        heartbeat = null;
        fence.unlead(chainId);
        if (conn == null) return;
        try (PreparedStatement ps = conn.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            // a pooled connection outlives close(): a session that still holds the lock must let go of it first
            ps.setLong(1, key(chainId));
            ps.setQueryTimeout(2);
            ps.executeQuery().close();
        } catch (SQLException ignored) {
            // the session is gone, and its lock with it
        }
        try {
            conn.close();
        } catch (SQLException ignored) {
            // the connection is already broken; the lock went with it
        }
        conn = null;
    }

    @Override
    public void close() {
        lost = true;
        release();
    }
}
