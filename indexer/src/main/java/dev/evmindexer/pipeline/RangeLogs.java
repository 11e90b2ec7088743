package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Log;
import java.util.List;
import java.util.Map;

/** The checked answer for a block range: its logs in chain order and the header of each block holding one. */
public record RangeLogs(List<Log> logs, Map<Long, BlockHeader> headers) {
    public RangeLogs {
        logs = List.copyOf(logs);
        headers = Map.copyOf(headers);
        for (Log log : logs) {
            BlockHeader h = headers.get(log.blockNumber());
            if (h == null || !h.hash().equals(log.blockHash())) {
                throw new IllegalArgumentException("no matching header for " + log);
            }
        }
    }
}
