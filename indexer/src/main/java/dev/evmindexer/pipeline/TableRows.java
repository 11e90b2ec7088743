package dev.evmindexer.pipeline;

import java.util.List;

/** Rows for one event table. */
public record TableRows(EventTable table, List<EventRow> rows) {
    public TableRows {
        rows = List.copyOf(rows);
    }
}
