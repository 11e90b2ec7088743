package dev.evmindexer.store;

import static dev.evmindexer.store.PgEventStoreIT.TABLE;
import static dev.evmindexer.store.PgEventStoreIT.header;
import static dev.evmindexer.store.PgEventStoreIT.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TableRows;
import dev.evmindexer.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Downstream consumers: LISTEN sees commits and rollbacks in commit order and nothing of a transaction
 * that rolled back; the README's cursor query never skips an entry of a transaction that commits late;
 * retention deletes only old entries.
 */
class OutboxIT extends StoreTestBase {
    /** The README's consumer query, as written there (the first SQL block that reads {@code indexer.outbox}). */
    static String readmeQuery() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?s)```sql\n([^`]*?FROM indexer\\.outbox[^`]*?)```")
                .matcher(readme);
        assertTrue(m.find(), "the README's outbox query");
        return m.group(1);
    }

    /**
     * {@code sql} as psql sends it with {@code \\set last_xid X} and {@code \\set last_id I}: comments dropped,
     * {@code :'name'} replaced by the value as a quoted literal and {@code :name} by the value as it is
     * ({@code ::} casts untouched).
     */
    static String asPsqlSendsIt(String sql, Map<String, String> vars) {
        String out = sql.replaceAll("--[^\n]*", "");
        for (var v : vars.entrySet()) {
            out = out.replace(":'" + v.getKey() + "'", "'" + v.getValue().replace("'", "''") + "'");
            out = out.replaceAll("(?<!:):" + v.getKey() + "\\b", v.getValue());
        }
        return out;
    }

    @Test
    void listenSeesCommitsAndRollbacksInOrderAndNothingOfAFailedTransaction() throws Exception {
        try (Connection listener = TestPostgres.connect(url)) {
            listener.createStatement().execute("LISTEN indexer");
            long epoch = store.chain(1).epoch();
            store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), false, null);
            store.commitRange(1, epoch, new Span(10, 19), List.of(rows(10, 19, 0)), false, null);
            // a transaction that fails after writing one table's rows, outbox entry and notify: rolled back, never announced
            EventTable unregistered = new EventTable("public", "nope", 1, "token", 0, TABLE.filter(), TABLE.signature(),
                    TABLE.decoder(), "def0");
            StoreException e = assertThrows(StoreException.class, () -> store.commitRange(1, epoch, new Span(20, 29),
                    List.of(rows(20, 29, 0), new TableRows(unregistered, List.of())), false, null));
            assertTrue(e.getMessage().contains("nope"), e.getMessage()); // failed on the second table, after the first one's notify
            store.storeAnchor(1, epoch, header(19, 0, 0));
            store.rollback(1, epoch, 14, "test");
            store.commitRange(1, epoch + 1, new Span(15, 19), List.of(rows(15, 19, 1)), false, null);

            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (got.size() < 4 && System.nanoTime() < deadline) {
                listener.createStatement().execute("SELECT 1");
                PGNotification[] notes = listener.unwrap(PGConnection.class).getNotifications(200);
                if (notes != null) for (PGNotification n : notes) got.add(n.getParameter());
            }
            assertEquals(List.of(
                    "{\"chain_id\":1,\"table\":\"public.transfers\",\"kind\":\"commit\",\"from_block\":0,\"to_block\":9}",
                    "{\"chain_id\":1,\"table\":\"public.transfers\",\"kind\":\"commit\",\"from_block\":10,\"to_block\":19}",
                    "{\"chain_id\":1,\"table\":null,\"kind\":\"rollback\",\"from_block\":15,\"to_block\":19}",
                    "{\"chain_id\":1,\"table\":\"public.transfers\",\"kind\":\"commit\",\"from_block\":15,\"to_block\":19}"),
                    got);
        }
    }

    @Test
    void theReadmeCursorNeverSkipsATransactionThatCommitsLate() throws Exception {
        long epoch = store.chain(1).epoch();
        try (Connection slow = TestPostgres.connect(url); Connection consumer = TestPostgres.connect(url)) {
            // A writer that has its xid and outbox row but has not committed yet...
            slow.setAutoCommit(false);
            slow.createStatement().execute("INSERT INTO indexer.outbox (chain_id, table_name, kind, from_block, to_block) "
                    + "VALUES (1, 'public.transfers', 'commit', 500, 500)");
            // ...while a later transaction commits.
            store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), false, null);
            long[] cursor = {0, 0};
            List<String> seen = new ArrayList<>(read(consumer, cursor));
            assertTrue(seen.isEmpty(), "the later commit waits until the earlier transaction ends: " + seen);

            slow.commit();
            seen.addAll(read(consumer, cursor));
            assertEquals(List.of("500-500", "0-9"), seen, "both, in xid order, none skipped");
            store.commitRange(1, epoch, new Span(10, 19), List.of(rows(10, 19, 0)), false, null);
            assertEquals(List.of("10-19"), read(consumer, cursor), "the cursor resumes after what it read");
        }
    }

    /** One poll of the README query from {@code cursor} (xid, id), advancing it. */
    private static List<String> read(Connection c, long[] cursor) throws Exception {
        List<String> out = new ArrayList<>();
        String sql = asPsqlSendsIt(readmeQuery(), Map.of("last_xid", Long.toString(cursor[0]), "last_id",
                Long.toString(cursor[1])));
        try (java.sql.Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    cursor[1] = rs.getLong(1);
                    cursor[0] = Long.parseLong(rs.getString(2));
                    out.add(rs.getLong(6) + "-" + rs.getLong(7));
                }
            }
        }
        return out;
    }

    @Test
    void retentionDeletesOnlyEntriesOlderThanItKeeps() throws Exception {
        long epoch = store.chain(1).epoch();
        for (int i = 0; i < 5; i++) store.commitRange(1, epoch, new Span(i * 10L, i * 10 + 9), List.of(rows(i * 10L, i * 10 + 9, 0)), false, null);
        try (Connection c = TestPostgres.connect(url)) {
            c.createStatement().execute("UPDATE indexer.outbox SET created_at = now() - interval '8 days' WHERE from_block < 20");
            c.createStatement().execute("UPDATE indexer.outbox SET created_at = now() - interval '6 days' WHERE from_block = 20");
        }
        assertEquals(2, OpsQueries.pruneOutbox(db.dataSource(), Duration.ofDays(7)));
        assertEquals(0, OpsQueries.pruneOutbox(db.dataSource(), Duration.ofDays(7)));
        try (Connection c = TestPostgres.connect(url);
                ResultSet rs = c.createStatement().executeQuery("SELECT string_agg(from_block::text, ',' ORDER BY id) FROM indexer.outbox")) {
            rs.next();
            assertEquals("20,30,40", rs.getString(1));
        }
    }
}
