package dev.evmindexer.rpc;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.SourceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code rangeLogs}: a block range in chunks of at most the endpoint's {@code maxBlockRange}. Each chunk is one
 * {@code eth_getLogs} batched with {@code eth_getBlockByNumber(end)} on the same endpoint (a null block there
 * means the endpoint is lagging, not that there are no logs), then the headers of the blocks holding logs, also
 * from that endpoint, to check each log's block hash and bloom. A chunk the provider refuses as too large is
 * halved and asked again (the simple version: no provider-suggested ranges, no growing back).
 */
final class RangeFetcher {
    private static final Logger log = LoggerFactory.getLogger(RangeFetcher.class);

    record Result(List<Log> logs, Map<Long, BlockHeader> headers) {}

    /** One checked chunk: its logs, the headers of blocks holding them, and the header of its last block. */
    private record Chunk(long end, List<Log> logs, Map<Long, BlockHeader> headers, BlockHeader last) {}

    private final EndpointPool pool;
    private final boolean bloomChecks;
    private final AtomicLong acceptedBloomContradictions;

    RangeFetcher(EndpointPool pool, boolean bloomChecks, AtomicLong acceptedBloomContradictions) {
        this.pool = pool;
        this.bloomChecks = bloomChecks;
        this.acceptedBloomContradictions = acceptedBloomContradictions;
    }

    Result fetch(long from, long to, LogFilter filter) {
        List<Log> logs = new ArrayList<>();
        Map<Long, BlockHeader> headers = new HashMap<>();
        long limit = Long.MAX_VALUE;
        long cursor = from;
        while (true) {
            Chunk c;
            try {
                c = chunk(cursor, to, limit, filter);
            } catch (RpcFault.RangeTooLarge e) {
                if (e.blocks() <= 1) {
                    throw new SourceException("doing eth_getLogs from block " + cursor + ": refused even for one block: "
                            + e.getMessage());
                }
                limit = e.blocks() / 2;
                log.debug("chain {}: eth_getLogs range of {} blocks from {} refused, halving: {}", pool.chainName(),
                        e.blocks(), cursor, e.getMessage());
                continue;
            }
            logs.addAll(c.logs());
            headers.putAll(c.headers());
            if (c.end() == to) return new Result(logs, headers);
            cursor = c.end() + 1;
        }
    }

    /** One chunk from {@code from}, retried elsewhere when its last block's bloom contradicts an empty answer. */
    private Chunk chunk(long from, long to, long limit, LogFilter filter) {
        String what = "eth_getLogs of blocks [" + from + ", " + to + "]";
        Set<Endpoint> tried = new HashSet<>();
        for (int retry = 0; ; retry++) {
            Chunk c = pool.call(what, tried, ep -> {
                long size = Math.min(limit, ep.spec().maxBlockRange());
                long end = to - from < size ? to : from + size - 1;
                return fetchChunk(ep, from, end, filter);
            });
            if (!bloomChecks || !LogChecks.bloomContradictsEmpty(c.logs(), c.last(), filter)) return c;
            if (retry >= pool.settings().bloomRetries() || !pool.hasUsableOutside(tried)) {
                acceptedBloomContradictions.incrementAndGet();
                log.debug("chain {}: no logs in block {} although its bloom may match; accepted after {} endpoints",
                        pool.chainName(), c.last(), tried.size());
                return c;
            }
        }
    }

    private Chunk fetchChunk(Endpoint ep, long from, long to, LogFilter filter) {
        List<RpcResult> r = ep.batch(List.of(Requests.logsOfRange(from, to, filter), Requests.blockByNumber(to)));
        RpcResult logsResult = r.get(0);
        if (Requests.isRangeTooLarge(logsResult)) {
            throw new RpcFault.RangeTooLarge(logsResult.describeError(), to - from + 1);
        }
        if (r.get(1).isNull()) throw Answers.bad(ep, "no block #" + to + ": it is lagging behind the range asked for");
        BlockHeader last = Answers.header(r.get(1).required(), ep);
        if (last.number() != to) throw Answers.bad(ep, "block #" + last.number() + " when asked for #" + to);
        List<Log> logs = Answers.logs(logsResult.required(), ep);
        LogChecks.inOrder(logs, from, to, filter, ep);

        Map<Long, BlockHeader> headers = new HashMap<>();
        TreeSet<Long> holding = new TreeSet<>();
        for (Log l : logs) holding.add(l.blockNumber());
        if (holding.remove(to)) headers.put(to, last);
        List<Long> numbers = List.copyOf(holding);
        List<Endpoint.Call> calls = numbers.stream().map(Requests::blockByNumber).toList();
        List<RpcResult> blocks = Requests.batched(ep, calls);
        for (int i = 0; i < numbers.size(); i++) {
            if (blocks.get(i).isNull()) throw Answers.bad(ep, "no block #" + numbers.get(i) + " although it has logs");
            BlockHeader h = Answers.header(blocks.get(i).required(), ep);
            if (h.number() != numbers.get(i)) {
                throw Answers.bad(ep, "block #" + h.number() + " when asked for #" + numbers.get(i));
            }
            headers.put(h.number(), h);
        }
        LogChecks.againstHeaders(logs, headers, bloomChecks, ep);
        return new Chunk(to, logs, headers, last);
    }
}
