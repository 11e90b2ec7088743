package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evmindexer.pipeline.EventTable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A {@code database.schema} that does not exist yet is created with the tables, not refused late. */
class TableSchemaIT extends StoreTestBase {
    @Test
    void aMissingSchemaIsCreatedWithItsTableAndView() throws Exception {
        EventTable t = PgEventStoreIT.TABLE;
        EventTable inAnalytics = new EventTable("analytics", "transfers", 1, "token", 0, t.filter(), t.signature(),
                t.decoder(), "def1");
        TableDdl.ensure(db.dataSource(), List.of(inAnalytics), Map.of(1L, "test"));
        TableDdl.ensure(db.dataSource(), List.of(inAnalytics), Map.of(1L, "test")); // again: nothing to create
        try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace "
                        + "WHERE n.nspname = 'analytics' AND k.relname IN ('transfers', 'transfers_finalized')")) {
            rs.next();
            assertEquals(2, rs.getInt(1));
        }
    }
}
