package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import java.util.List;

/** One tip block to store: its header (stored even when it has no rows) and its rows per table. */
public record TipBlock(BlockHeader header, List<TableRows> rows) {
    public TipBlock {
        rows = List.copyOf(rows);
    }
}
