package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evmindexer.eth.Hex;
import dev.evmindexer.pipeline.EventRow;
import dev.evmindexer.pipeline.EventStoreContract;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TableRows;
import dev.evmindexer.pipeline.VerifyStore.Kind;
import dev.evmindexer.pipeline.VerifyStore.RowDiff;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PgVerifyStore#compare}: the table's rows of one chain in one span against the node's, row by row. */
class PgVerifyStoreIT extends StoreTestBase {
    @Test
    void reportsMissingExtraAndDifferentRowsOfTheSpanOnlyWithTheColumnsThatDiffer() throws Exception {
        store.commitRange(1, store.chain(1).epoch(), new Span(0, 9), List.of(PgEventStoreIT.rows(0, 9, 0)), false, null);
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().execute("DELETE FROM transfers WHERE block_number = 2 AND log_index = 1");
        }
        List<EventRow> node = new ArrayList<>(PgEventStoreIT.rows(2, 3, 0).rows());
        node.removeIf(r -> r.log().blockNumber() == 3 && r.log().logIndex() == 1);
        node.addAll(PgEventStoreIT.rows(4, 4, 7).rows()); // another block hash and other values
        node.addAll(PgEventStoreIT.rows(5, 5, 0).rows());

        List<RowDiff> diffs = new PgVerifyStore(db.dataSource()).compare(1, new Span(2, 5),
                new TableRows(PgEventStoreIT.TABLE, node));

        String missingTx = "tx " + Hex.encode(EventStoreContract.hash(2, 101).toArray()).substring(0, 10);
        String extraTx = "tx " + Hex.encode(EventStoreContract.hash(3, 101).toArray()).substring(0, 10);
        assertEquals(List.of(
                new Diff(2, 1, Kind.MISSING, missingTx), new Diff(3, 1, Kind.EXTRA, extraTx),
                new Diff(4, 0, Kind.DIFFERENT, "block_hash, value"), new Diff(4, 1, Kind.DIFFERENT, "block_hash, value")),
                diffs.stream().map(d -> new Diff(d.block(), d.logIndex(), d.kind(), d.detail())).toList(),
                "blocks 0-1 and 6-9 are outside the span and not reported");
    }

    private record Diff(long block, int logIndex, Kind kind, String detail) {}
}
