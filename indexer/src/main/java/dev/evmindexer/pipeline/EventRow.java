package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Log;

/** One decoded log ready to store: its log (position, hashes), its block's time and the decoded values in column order. */
public record EventRow(Log log, long blockTime, Object[] values) {}
