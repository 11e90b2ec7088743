package dev.evmindexer.rpc;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.MemoryBudget;
import dev.evmindexer.pipeline.RangeLogs;
import dev.evmindexer.pipeline.RangePiece;
import dev.evmindexer.pipeline.SourceException;
import dev.evmindexer.pipeline.UnservableRangeException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code rangeLogs}: a block range in pieces, one {@code eth_getLogs} call each, sized by volume ({@link LogRange}).
 * Each piece is one {@code eth_getLogs} per slice of the address list (long lists are split), batched with
 * {@code eth_getBlockByNumber(end)} on the same endpoint (a null block there means the endpoint is lagging, not that
 * there are no logs), then the headers of the blocks holding logs, also from that endpoint, to check each log's block
 * hash and bloom.
 *
 * <p>Before a call the piece reserves its expected size from the {@link MemoryBudget}; the answer is abandoned while it
 * streams in if it grows past its limits, and the reservation is corrected to what was read. A multi-block call that
 * is oversized or refused as too large, or that times out or is cut off at a size that had not worked yet (or twice
 * in a row), is not the endpoint's fault: the range shrinks and the piece is asked again without penalty
 * ({@link LogRange}). Other failures, and any one-block failure, count against the endpoint.
 */
final class RangeFetcher {
    private static final Logger log = LoggerFactory.getLogger(RangeFetcher.class);
    private static final Comparator<Log> CHAIN_ORDER = Comparator.comparingLong(Log::blockNumber)
            .thenComparingInt(Log::logIndex);
    /** A multi-block answer may hold this many times the logs its range was sized for before it is abandoned. */
    static final int OVERSIZE_FACTOR = 4;
    /** For callers that hold a whole range (verify): reservations that never wait. */
    private static final MemoryBudget UNBOUNDED = new MemoryBudget(Long.MAX_VALUE);

    record Result(List<Log> logs, Map<Long, BlockHeader> headers) {}

    /** One checked piece: its logs, the headers of blocks holding them, and the header of its last block. */
    private record Chunk(long end, List<Log> logs, Map<Long, BlockHeader> headers, BlockHeader last,
                         MemoryBudget.Reservation held, long logsNanos, String servedBy) {}

    private final EndpointPool pool;
    private final boolean bloomChecks;
    private final BloomRetry bloomRetry;

    RangeFetcher(EndpointPool pool, boolean bloomChecks, BloomRetry bloomRetry) {
        this.pool = pool;
        this.bloomChecks = bloomChecks;
        this.bloomRetry = bloomRetry;
    }

    /** The whole of {@code [from, to]}, piece after piece, held in memory (for verify and tests). */
    Result fetch(long from, long to, LogFilter filter) {
        return fetch(from, to, filter, null, null);
    }

    /**
     * As {@link #fetch(long, long, LogFilter)}, asking the endpoint named {@code prefer} first (others only when it
     * fails or is out of rotation) and adding the name of every endpoint whose answer was kept to {@code answered}.
     */
    Result fetch(long from, long to, LogFilter filter, String prefer, Set<String> answered) {
        List<Log> logs = new ArrayList<>();
        Map<Long, BlockHeader> headers = new HashMap<>();
        long cursor = from;
        while (true) {
            Chunk c = chunk(cursor, to, filter, UNBOUNDED, prefer, answered);
            c.held().close();
            logs.addAll(c.logs());
            headers.putAll(c.headers());
            if (c.end() == to) return new Result(logs, headers);
            cursor = c.end() + 1;
        }
    }

    /** The first piece of {@code [from, to]}, holding its reservation of {@code budget}. */
    RangePiece piece(long from, long to, LogFilter filter, MemoryBudget budget) {
        Chunk c = chunk(from, to, filter, budget, null, null);
        return new RangePiece(from, c.end(), new RangeLogs(c.logs(), c.headers()), c.held(), c.servedBy());
    }

    /** One piece from {@code from}, shrunk and asked again until it fits. */
    private Chunk chunk(long from, long to, LogFilter filter, MemoryBudget budget, String prefer, Set<String> answered) {
        while (true) {
            try {
                return checkedChunk(from, to, filter, budget, prefer, answered);
            } catch (RpcFault.RangeTooLarge e) {
                log.debug("chain {}: eth_getLogs of {} blocks from {} did not fit: {}", pool.chainName(), e.blocks(),
                        from, e.getMessage());
            }
        }
    }

    /**
     * One piece from {@code from}, asked again ({@link BloomRetry}) when its last block's bloom contradicts an empty
     * answer; the dropped answer's reservation is released first.
     */
    private Chunk checkedChunk(long from, long to, LogFilter filter, MemoryBudget budget, String prefer,
            Set<String> answered) {
        String what = "eth_getLogs of blocks [" + from + ", " + to + "]";
        Set<Endpoint> tried = prefer == null ? EndpointPool.triedSet() : pool.allBut(prefer);
        return bloomRetry.ask(tried, t -> {
            AtomicInteger refusals = new AtomicInteger();
            try {
                AtomicReference<String> by = new AtomicReference<>();
                Chunk c = pool.call(what, t, ep -> {
                    Chunk answer = sized(ep, from, to, filter, budget, refusals);
                    by.set(ep.name());
                    return answer;
                });
                if (answered != null) answered.add(by.get());
                return c;
            } catch (SourceException e) {
                if (refusals.get() >= pool.settings().maxAttempts()) {
                    throw new UnservableRangeException("doing eth_getLogs of block " + from + ": refused even for one block, "
                            + "by every attempt: " + e.getMessage());
                }
                throw e;
            }
        }, c -> bloomChecks && AnswerChecks.bloomContradictsEmpty(c.logs(), c.last(), filter), Chunk::last,
                c -> c.held().close());
    }

    /** One call on {@code ep} of the range its {@link LogRange} chooses; size faults shrink it (no penalty). */
    private Chunk sized(Endpoint ep, long from, long to, LogFilter filter, MemoryBudget budget,
            AtomicInteger refusals) {
        LogRange range = ep.logRange(filter);
        long size = range.next();
        ep.rangeChosen(size);
        long blocks = Math.min(size, to - from + 1);
        long end = from + blocks - 1;
        long expected = Math.max(1, range.expectedLogs(blocks));
        // One block cannot be split: it may take the whole budget (waiting until nothing else is held). A longer range
        // may hold what it reserved plus what is free now, and at most OVERSIZE_FACTOR times what it was sized for;
        // past that it is abandoned mid-stream and shrunk, so answers never overdraw the budget by much.
        MemoryBudget.Reservation held = reserve(budget, blocks == 1 ? Long.MAX_VALUE : expected);
        long room = Math.max(1, saturatingAdd(held.bytes(), blocks == 1 ? 0 : budget.free()) / MemoryBudget.BYTES_PER_LOG);
        long sizedFor = Math.max(expected, range.targetLogs());
        StreamingAnswers.Limits limits = new StreamingAnswers.Limits(
                blocks == 1 ? room : Math.max(expected, Math.min(room, sizedFor > Long.MAX_VALUE / OVERSIZE_FACTOR
                        ? Long.MAX_VALUE : OVERSIZE_FACTOR * sizedFor)), budget.total());
        long started = System.nanoTime();
        try {
            Chunk done = fetchChunk(ep, from, end, filter, limits, held);
            range.succeeded(blocks, done.logs().size(), done.logsNanos());
            return done;
        } catch (RpcFault f) {
            held.close();
            if (f instanceof RpcFault.RangeTooLarge && blocks <= 1) refusals.incrementAndGet();
            throw resized(ep, range, f, from, blocks, started);
        } catch (RuntimeException | Error e) {
            held.close();
            throw e;
        }
    }

    private static long saturatingAdd(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }

    private static MemoryBudget.Reservation reserve(MemoryBudget budget, long logs) {
        try {
            return budget.reserve(MemoryBudget.bytesOf(logs, 0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted while waiting for memory for an eth_getLogs answer");
        }
    }

    /**
     * What a failed call of {@code blocks} blocks becomes: a size fault of a multi-block call shrinks the range and
     * is asked again without penalty ({@link RpcFault.RangeTooLarge}); the same on one block is the endpoint's fault,
     * or a range no retry can fetch.
     */
    private RuntimeException resized(Endpoint ep, LogRange range, RpcFault f, long from, long blocks, long started) {
        if (f instanceof RpcFault.RangeTooLarge refusal) {
            if (blocks <= 1) { // the endpoint's fault: another may serve it (all refusing: unservable, see checkedChunk)
                return new RpcFault(RpcFault.Kind.ERROR_ANSWER, ep.name() + " refused eth_getLogs even for the one block "
                        + from + ": " + refusal.getMessage());
            }
            long now = range.refused(blocks, refusal.suggested());
            return new RpcFault.RangeTooLarge(refusal.getMessage() + " (range of " + ep.name() + " now " + now + " blocks"
                    + (refusal.suggested() > 0 ? ", as suggested" : "") + ")", blocks, refusal.suggested());
        }
        if (f instanceof RpcFault.Oversized o && blocks <= 1) {
            return new UnservableRangeException("doing eth_getLogs of block " + from + " on " + ep.name() + ": "
                    + o.getMessage() + " in one block, more than the memory budget allows: give the JVM a bigger heap "
                    + "(INDEXER_HEAP)");
        }
        boolean sizeFault = f.kind() == RpcFault.Kind.TIMEOUT || f.kind() == RpcFault.Kind.CUT_OFF
                || f.kind() == RpcFault.Kind.OVERSIZED;
        if (!sizeFault || blocks <= 1) return f;
        long now = f instanceof RpcFault.Oversized o
                ? range.oversized(blocks, o.lastBlock() < 0 ? 0 : o.lastBlock() - from)
                : range.timedOut(blocks, started, System.nanoTime());
        if (now < 0) return f; // at a size that has worked: this once, the endpoint's fault
        return new RpcFault.RangeTooLarge(ep.name() + ": eth_getLogs of " + blocks + " blocks from " + from + " failed ("
                + f.getMessage() + "); range now " + now + " blocks", blocks, 0, f.kind());
    }

    private Chunk fetchChunk(Endpoint ep, long from, long to, LogFilter filter, StreamingAnswers.Limits limits,
            MemoryBudget.Reservation held) {
        List<List<Address>> slices = slices(filter.addresses(), (int) ep.addressesPerQuery().get());
        List<Endpoint.Call> calls = new ArrayList<>(slices.size() + 1);
        for (List<Address> slice : slices) calls.add(Requests.logsOfRange(from, to, slice, filter));
        calls.add(Requests.blockByNumber(to));
        long asked = System.nanoTime();
        List<RpcResult> r = ep.calls(calls, limits);
        long logsNanos = System.nanoTime() - asked; // the eth_getLogs batch alone: what the range's size decides
        List<Log> logs = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            RpcResult logsResult = r.get(i);
            if (Requests.isRangeTooLarge(logsResult)) throw tooLarge(logsResult, to - from + 1);
            if (Requests.isAddressLimit(logsResult)) {
                long now = ep.addressesPerQuery().halve(slices.get(i).size());
                throw new RpcFault(RpcFault.Kind.ERROR_ANSWER, logsResult.describeError() + " (addresses per query now "
                        + now + ")");
            }
            logs.addAll(Answers.logs(logsResult, ep));
        }
        held.resize(MemoryBudget.bytesOf(logs.size(), dataBytes(logs)));
        RpcResult lastBlock = r.get(slices.size());
        if (lastBlock.isNull()) {
            throw new RpcFault(RpcFault.Kind.LAGGING, ep.name() + " has no block #" + to
                    + ": it is lagging behind the range asked for");
        }
        BlockHeader last = Answers.header(lastBlock.required(), ep);
        AnswerChecks.isAsked(ep, last, to);
        if (slices.size() > 1) logs.sort(CHAIN_ORDER);
        AnswerChecks.inOrder(logs, from, to, filter, ep);

        Map<Long, BlockHeader> headers = new HashMap<>();
        TreeSet<Long> holding = new TreeSet<>();
        for (Log l : logs) holding.add(l.blockNumber());
        if (holding.remove(to)) headers.put(to, last);
        List<Long> numbers = List.copyOf(holding);
        List<RpcResult> blocks = ep.calls(numbers.stream().map(Requests::blockByNumber).toList());
        for (int i = 0; i < numbers.size(); i++) {
            AnswerChecks.hasBlockWithLogs(ep, blocks.get(i), numbers.get(i));
            BlockHeader h = Answers.header(blocks.get(i).required(), ep);
            AnswerChecks.isAsked(ep, h, numbers.get(i));
            headers.put(h.number(), h);
        }
        AnswerChecks.againstHeaders(logs, headers, bloomChecks, ep);
        held.resize(MemoryBudget.bytesOf(logs.size() + headers.size(), dataBytes(logs))); // a header weighs about a log
        return new Chunk(to, logs, headers, last, held, logsNanos, ep.name());
    }

    private static long dataBytes(List<Log> logs) {
        long n = 0;
        for (Log l : logs) n += l.data().length;
        return n;
    }

    /** The provider's refusal of a range, with the block count it suggests where it names one. */
    private static RpcFault.RangeTooLarge tooLarge(RpcResult refusal, long blocks) {
        OptionalLong hint = RangeErrors.suggestedBlocks(refusal.errorMessage(), blocks);
        return new RpcFault.RangeTooLarge(refusal.describeError(), blocks, hint.orElse(0));
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
