package dev.evmindexer.store;

import dev.evmindexer.testsupport.TestPostgres;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh database per test with the indexer schema, {@link PgEventStoreIT#TABLE} registered for chain 1,
 * and the chain's finalized block at 100.
 */
abstract class StoreTestBase {
    protected Database db;
    protected PgEventStore store;
    protected String url;

    @BeforeEach
    void open() throws Exception {
        url = TestPostgres.newDatabase();
        db = TestPostgres.open(url);
        Migrations.migrate(db.dataSource());
        TableDdl.ensure(db.dataSource(), List.of(PgEventStoreIT.TABLE), Map.of(1L, "test"));
        store = new PgEventStore(db.dataSource());
        store.advanceFinalized(1, 100);
    }

    @AfterEach
    void close() {
        db.close();
    }
}
