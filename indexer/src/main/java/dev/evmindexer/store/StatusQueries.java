package dev.evmindexer.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Read-only views of the indexer's state for the {@code status} command. */
public final class StatusQueries {
    /** One event table's coverage, e.g. {@code {[0,1200)}} in PostgreSQL's multirange notation (upper bounds exclusive). */
    public record TableStatus(String table, long startBlock, String coverage, long finalizedThrough) {}

    private StatusQueries() {}

    public static List<TableStatus> tables(DataSource ds, long chainId) {
        return Sql.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT table_schema || '.' || table_name, start_block, "
                    + "coverage::text, coalesce(indexer.finalized_through(table_schema, table_name, chain_id), -1) "
                    + "FROM indexer.event_tables WHERE chain_id = ? ORDER BY 1")) {
                ps.setLong(1, chainId);
                List<TableStatus> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new TableStatus(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4)));
                }
                return out;
            }
        });
    }
}
