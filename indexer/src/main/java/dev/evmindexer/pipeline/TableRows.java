package dev.evmindexer.pipeline;

import java.util.List;

/** Rows for one event table. */
public record TableRows(EventTable table, List<EventRow> rows) {
    public TableRows {
        rows = List.copyOf(rows);
    }

    /** The rows whose block is in {@code span}. */
    public TableRows within(Span span) {
        return new TableRows(table, rows.stream().filter(r -> span.contains(r.log().blockNumber())).toList());
    }
}
