package dev.evmindexer.pipeline;

import java.util.Map;

/**
 * The logs of a range taken from receipts proven against each block's receiptsRoot ({@code verify --proof}), and the
 * blocks that could not be proven on any endpoint tried, each with the reason.
 *
 * @param proven   the matching logs of the proven blocks, with the headers of the blocks that have one
 * @param unproven block number to why its receipts did not prove
 */
public record ProvenLogs(RangeLogs proven, Map<Long, String> unproven) {
    public ProvenLogs {
        unproven = Map.copyOf(unproven);
    }
}
