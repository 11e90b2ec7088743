package dev.evmindexer.store;

import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.Span;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Range units claimed in {@code indexer.range_claims} so several processes share a backfill without fetching a unit
 * twice (ARCHITECTURE.md, several processes). Claims of one table are taken under a transaction advisory lock on the
 * table, so two claims never overlap whatever grid each process cut; a claim past its expiry is anyone's.
 */
final class RangeClaims {
    private RangeClaims() {}

    /**
     * Claims for {@code owner} the parts of {@code wanted} that no other owner holds unexpired (expired claims are
     * deleted first) and that coverage does not hold yet; the owner's own claims count as its. Returns the claimed
     * spans, ascending.
     */
    static List<Span> claim(Connection c, long chainId, EventTable t, List<Span> wanted, String owner, Duration ttl)
            throws SQLException {
        if (wanted.isEmpty()) return List.of();
        try (PreparedStatement ps = PgEventStore.bind(c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))"),
                "claims:" + chainId + ":" + t.qualifiedName())) {
            ps.executeQuery().close();
        }
        PgEventStore.update(c, "DELETE FROM indexer.range_claims WHERE chain_id = ? AND table_schema = ? AND table_name = ? "
                + "AND expires_at < now()", chainId, t.schema(), t.name());
        long lo = wanted.get(0).from();
        long hi = wanted.stream().mapToLong(Span::to).max().getAsLong();
        List<Span> held = new ArrayList<>();
        try (PreparedStatement ps = PgEventStore.bind(c.prepareStatement("SELECT from_block, to_block FROM indexer.range_claims "
                + "WHERE chain_id = ? AND table_schema = ? AND table_name = ? AND owner <> ? AND from_block <= ? AND to_block >= ? "
                + "ORDER BY from_block"), chainId, t.schema(), t.name(), owner, hi, lo);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) held.add(new Span(rs.getLong(1), rs.getLong(2)));
        }
        // What was planned from an older read may be covered by now: a commit adds coverage and drops its claim in one
        // transaction, so coverage read here (after the lock) shows every span that is no longer anyone's to fetch.
        try (PreparedStatement ps = PgEventStore.bind(c.prepareStatement("SELECT lower(r), upper(r) - 1 FROM "
                + "indexer.event_tables e, unnest(e.coverage) r WHERE e.table_schema = ? AND e.table_name = ? "
                + "AND e.chain_id = ? AND r && int8range(?, ?, '[]')"), t.schema(), t.name(), chainId, lo, hi);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) held.add(new Span(rs.getLong(1), rs.getLong(2)));
        }
        held.sort(java.util.Comparator.comparingLong(Span::from));
        List<Span> claimed = new ArrayList<>();
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO indexer.range_claims (chain_id, table_schema, table_name, "
                + "from_block, to_block, owner, expires_at) VALUES (?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?)) "
                + "ON CONFLICT (chain_id, table_schema, table_name, from_block) DO UPDATE SET to_block = excluded.to_block, "
                + "expires_at = excluded.expires_at WHERE range_claims.owner = excluded.owner")) {
            for (Span w : wanted) {
                for (Span free : Span.minus(w, held)) {
                    PgEventStore.bind(ins, chainId, t.schema(), t.name(), free.from(), free.to(), owner, ttl.toMillis() / 1000.0);
                    if (ins.executeUpdate() == 1) claimed.add(free);
                }
            }
        }
        return claimed;
    }

    /** Pushes the expiry of every claim of {@code owner} on the chain {@code ttl} from now. */
    static int renew(Connection c, long chainId, String owner, Duration ttl) throws SQLException {
        return PgEventStore.update(c, "UPDATE indexer.range_claims SET expires_at = now() + make_interval(secs => ?) "
                + "WHERE chain_id = ? AND owner = ?", ttl.toMillis() / 1000.0, chainId, owner);
    }

    /** Drops every claim of {@code owner} on the chain (its run ended, done or failed). */
    static int release(Connection c, long chainId, String owner) throws SQLException {
        return PgEventStore.update(c, "DELETE FROM indexer.range_claims WHERE chain_id = ? AND owner = ?", chainId, owner);
    }

    /** In a range or tip commit: drops the claims of the table that its coverage now holds whole, whoever owns them. */
    static void dropCovered(Connection c, long chainId, EventTable t) throws SQLException {
        PgEventStore.update(c, "DELETE FROM indexer.range_claims r USING indexer.event_tables e WHERE r.chain_id = ? "
                + "AND r.table_schema = ? AND r.table_name = ? AND e.table_schema = r.table_schema "
                + "AND e.table_name = r.table_name AND e.chain_id = r.chain_id "
                + "AND e.coverage @> int8range(r.from_block, r.to_block, '[]')",
                chainId, t.schema(), t.name());
    }
}
