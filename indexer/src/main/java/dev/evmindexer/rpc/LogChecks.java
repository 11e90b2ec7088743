package dev.evmindexer.rpc;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.LogFilter;
import java.util.List;
import java.util.Map;

/**
 * Checks of {@code eth_getLogs} answers against what was asked and against block headers (DESIGN.md invariant
 * 6). Each failure is an {@link RpcFault} naming the endpoint and the offending log.
 */
final class LogChecks {
    private LogChecks() {}

    /**
     * Logs in chain order: block numbers within {@code [from, to]} and non-decreasing, log indexes strictly
     * increasing within each block, each log matching {@code filter}.
     */
    static void inOrder(List<Log> logs, long from, long to, LogFilter filter, Endpoint ep) {
        Log prev = null;
        for (Log log : logs) {
            if (log.blockNumber() < from || log.blockNumber() > to) {
                throw Answers.bad(ep, log + " outside the range [" + from + ", " + to + "] asked for");
            }
            if (!filter.matches(log)) throw Answers.bad(ep, log + " that does not match the filter");
            if (prev != null && (log.blockNumber() < prev.blockNumber()
                    || (log.blockNumber() == prev.blockNumber() && log.logIndex() <= prev.logIndex()))) {
                throw Answers.bad(ep, "logs out of order: " + log + " after " + prev);
            }
            prev = log;
        }
    }

    /**
     * Every log's block hash and number are its block's header's, and with {@code bloomChecks} its address and
     * topics are in that header's bloom. {@code headers} must hold every log's block number.
     */
    static void againstHeaders(List<Log> logs, Map<Long, BlockHeader> headers, boolean bloomChecks, Endpoint ep) {
        for (Log log : logs) {
            BlockHeader h = headers.get(log.blockNumber());
            if (h == null) throw new IllegalStateException("no header fetched for " + log);
            againstHeader(log, h, bloomChecks, ep);
        }
    }

    static void againstHeader(Log log, BlockHeader h, boolean bloomChecks, Endpoint ep) {
        if (log.blockNumber() != h.number() || !log.blockHash().equals(h.hash())) {
            throw Answers.bad(ep, log + " with block hash " + log.blockHash().shortHex() + " but block " + h);
        }
        if (bloomChecks && !LogsBloom.mayContain(h.logsBloom(), log)) {
            throw Answers.bad(ep, log + " whose address or topics are not in the logsBloom of block " + h);
        }
    }

    /** True when the block has no log in {@code logs} although its bloom says a matching log may be there. */
    static boolean bloomContradictsEmpty(List<Log> logs, BlockHeader block, LogFilter filter) {
        return logs.stream().noneMatch(l -> l.blockNumber() == block.number())
                && LogsBloom.mayMatch(block.logsBloom(), filter);
    }
}
