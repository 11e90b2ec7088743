package dev.evmindexer.rpc;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.SourceException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code rangeLogs}: a block range in chunks of the endpoint's current block range (adaptive, starting at its
 * {@code maxBlockRange}). Each chunk is one {@code eth_getLogs} per slice of the address list (long lists are
 * split), batched with {@code eth_getBlockByNumber(end)} on the same endpoint (a null block there means the endpoint
 * is lagging, not that there are no logs), then the headers of the blocks holding logs, also from that endpoint, to
 * check each log's block hash and bloom. A chunk the provider refuses as too large shrinks that endpoint's range to
 * the size the provider's message suggests ({@link RangeErrors}), else to half, and is asked again; the range grows
 * back slowly after successes ({@link AdaptiveSize}).
 */
final class RangeFetcher {
    private static final Logger log = LoggerFactory.getLogger(RangeFetcher.class);
    private static final Comparator<Log> CHAIN_ORDER = Comparator.comparingLong(Log::blockNumber)
            .thenComparingInt(Log::logIndex);

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
        long cursor = from;
        while (true) {
            Chunk c;
            try {
                c = chunk(cursor, to, filter);
            } catch (RpcFault.RangeTooLarge e) {
                if (e.blocks() <= 1) {
                    throw new SourceException("doing eth_getLogs from block " + cursor + ": refused even for one block: "
                            + e.getMessage());
                }
                log.debug("chain {}: eth_getLogs range of {} blocks from {} refused: {}", pool.chainName(), e.blocks(),
                        cursor, e.getMessage());
                continue;
            }
            logs.addAll(c.logs());
            headers.putAll(c.headers());
            if (c.end() == to) return new Result(logs, headers);
            cursor = c.end() + 1;
        }
    }

    /**
     * One chunk from {@code from}, asked again (elsewhere where possible, else on the same endpoint: one URL may be
     * a load balancer over several nodes) when its last block's bloom contradicts an empty answer.
     */
    private Chunk chunk(long from, long to, LogFilter filter) {
        String what = "eth_getLogs of blocks [" + from + ", " + to + "]";
        Set<Endpoint> tried = EndpointPool.triedSet();
        for (int retry = 0; ; retry++) {
            Chunk c = pool.call(what, tried, ep -> {
                long size = ep.blockRange().get();
                long end = to - from < size ? to : from + size - 1;
                Chunk done = fetchChunk(ep, from, end, filter);
                ep.blockRange().succeeded(end - from + 1);
                return done;
            });
            if (!bloomChecks || !LogChecks.bloomContradictsEmpty(c.logs(), c.last(), filter)) return c;
            if (retry >= pool.settings().bloomRetries()) {
                acceptedBloomContradictions.incrementAndGet();
                log.debug("chain {}: no logs in block {} although its bloom may match; accepted after {} tries on {} "
                        + "endpoints", pool.chainName(), c.last(), retry + 1, tried.size());
                return c;
            }
        }
    }

    private Chunk fetchChunk(Endpoint ep, long from, long to, LogFilter filter) {
        List<List<Address>> slices = slices(filter.addresses(), (int) ep.addressesPerQuery().get());
        List<Endpoint.Call> calls = new ArrayList<>(slices.size() + 1);
        for (List<Address> slice : slices) calls.add(Requests.logsOfRange(from, to, slice, filter));
        calls.add(Requests.blockByNumber(to));
        List<RpcResult> r = ep.calls(calls);
        List<Log> logs = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            RpcResult logsResult = r.get(i);
            if (Requests.isRangeTooLarge(logsResult)) throw tooLarge(ep, logsResult, to - from + 1);
            if (Requests.isAddressLimit(logsResult)) {
                long now = ep.addressesPerQuery().halve(slices.get(i).size());
                throw new RpcFault(RpcFault.Kind.ERROR_ANSWER, logsResult.describeError() + " (addresses per query now "
                        + now + ")");
            }
            logs.addAll(Answers.logs(logsResult, ep));
        }
        RpcResult lastBlock = r.get(slices.size());
        if (lastBlock.isNull()) {
            throw new RpcFault(RpcFault.Kind.LAGGING, ep.name() + " has no block #" + to
                    + ": it is lagging behind the range asked for");
        }
        BlockHeader last = Answers.header(lastBlock.required(), ep);
        if (last.number() != to) throw Answers.bad(ep, "block #" + last.number() + " when asked for #" + to);
        if (slices.size() > 1) logs.sort(CHAIN_ORDER);
        LogChecks.inOrder(logs, from, to, filter, ep);

        Map<Long, BlockHeader> headers = new HashMap<>();
        TreeSet<Long> holding = new TreeSet<>();
        for (Log l : logs) holding.add(l.blockNumber());
        if (holding.remove(to)) headers.put(to, last);
        List<Long> numbers = List.copyOf(holding);
        List<RpcResult> blocks = ep.calls(numbers.stream().map(Requests::blockByNumber).toList());
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

    /** Shrinks {@code ep}'s range to the provider's suggestion, else to half, and says so. */
    private RpcFault.RangeTooLarge tooLarge(Endpoint ep, RpcResult refusal, long blocks) {
        OptionalLong hint = RangeErrors.suggestedBlocks(refusal.errorMessage(), blocks);
        long now = hint.isPresent() ? ep.blockRange().suggested(blocks, hint.getAsLong()) : ep.blockRange().halve(blocks);
        return new RpcFault.RangeTooLarge(refusal.describeError() + " (range of " + ep.name() + " now " + now
                + " blocks" + (hint.isPresent() ? ", as suggested" : "") + ")", blocks, hint.orElse(0));
    }

    /** The address list in slices of at most {@code max}; one empty slice for "every address". */
    static List<List<Address>> slices(List<Address> addresses, int max) {
        if (addresses.size() <= max) return List.of(addresses);
        List<List<Address>> out = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i += max) {
            out.add(addresses.subList(i, Math.min(addresses.size(), i + max)));
        }
        return out;
    }
}
