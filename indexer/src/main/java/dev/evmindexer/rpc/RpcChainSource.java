package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Header;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.BlockGoneException;
import dev.evmindexer.pipeline.ChainSource;
import dev.evmindexer.pipeline.ChainSource.AttributedLogs;
import dev.evmindexer.pipeline.Heads;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.MemoryBudget;
import dev.evmindexer.pipeline.ProvenLogs;
import dev.evmindexer.pipeline.RangeLogs;
import dev.evmindexer.pipeline.RangePiece;
import dev.evmindexer.pipeline.SourceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A {@link ChainSource} over the JSON-RPC endpoints of one chain. Every answer is checked before it is returned
 * (ARCHITECTURE.md, invariant 6); a bad or missing answer penalises its endpoint and the call is retried on another,
 * a bounded number of times, in {@link EndpointPool}. Tip calls (heads, headers, block logs) avoid lagging
 * endpoints and are hedged when slow; range calls are not hedged. Thread-safe.
 */
public final class RpcChainSource implements ChainSource, AutoCloseable {
    /** How often every endpoint's head is read (to find laggards); in between only the chosen endpoint's. */
    static final Duration HEAD_SAMPLE_INTERVAL = Duration.ofSeconds(2);

    private final EndpointPool pool;
    private final boolean bloomChecks;
    private final boolean receiptsProof;
    private final RangeFetcher ranges;
    private final BloomRetry bloomRetry;
    private final AtomicLong lastHeadSample = new AtomicLong(Long.MIN_VALUE);

    private RpcChainSource(EndpointPool pool, boolean bloomChecks, boolean receiptsProof) {
        this.pool = pool;
        this.bloomChecks = bloomChecks;
        this.receiptsProof = receiptsProof;
        this.bloomRetry = new BloomRetry(pool);
        this.ranges = new RangeFetcher(pool, bloomChecks, bloomRetry);
    }

    /**
     * Connects every endpoint and checks that each one's {@code eth_chainId} is {@code chainId}. An unreachable
     * endpoint is kept out of rotation and checked again later; while none is reachable this keeps retrying with
     * backoff (logging every so often) and does not return.
     *
     * @param bloomChecks check logs against headers' blooms (off for chains that publish wrong blooms)
     * @throws IllegalStateException when an endpoint serves another chain id (names the redacted endpoint and
     *                               both ids); a configuration error, not retriable
     * @throws SourceException       when interrupted while waiting for an endpoint
     */
    public static RpcChainSource connect(String chainName, long chainId, List<EndpointSpec> endpoints,
            boolean bloomChecks) {
        return connect(chainName, chainId, endpoints, bloomChecks, false);
    }

    /**
     * As {@link #connect(String, long, List, boolean)}; with {@code receiptsProof} the tip phase's block logs come from
     * the block's receipts, proven against its header's receiptsRoot (ARCHITECTURE.md, invariant 9).
     */
    public static RpcChainSource connect(String chainName, long chainId, List<EndpointSpec> endpoints,
            boolean bloomChecks, boolean receiptsProof) {
        return connect(chainName, chainId, endpoints, bloomChecks, receiptsProof, EndpointPool.Settings.DEFAULT);
    }

    /** As {@link #connect(String, long, List, boolean)} with another retry policy (tests use short backoffs). */
    static RpcChainSource connect(String chainName, long chainId, List<EndpointSpec> endpoints, boolean bloomChecks,
            EndpointPool.Settings settings) {
        return connect(chainName, chainId, endpoints, bloomChecks, false, settings);
    }

    static RpcChainSource connect(String chainName, long chainId, List<EndpointSpec> endpoints, boolean bloomChecks,
            boolean receiptsProof, EndpointPool.Settings settings) {
        return new RpcChainSource(EndpointPool.connect(chainName, chainId, endpoints, settings, System::nanoTime),
                bloomChecks, receiptsProof);
    }

    /**
     * The source without any endpoint checked yet (nothing is sent): the daemon checks them in each chain's
     * own loop with {@link #verifyOnce()}, so a chain whose node is down delays nothing else.
     */
    public static RpcChainSource open(String chainName, long chainId, List<EndpointSpec> endpoints, boolean bloomChecks,
            boolean receiptsProof) {
        return open(chainName, chainId, endpoints, bloomChecks, receiptsProof, EndpointPool.Settings.DEFAULT);
    }

    /** As {@link #open(String, long, List, boolean, boolean)} with another retry policy (tests use short backoffs). */
    static RpcChainSource open(String chainName, long chainId, List<EndpointSpec> endpoints, boolean bloomChecks,
            boolean receiptsProof, EndpointPool.Settings settings) {
        return new RpcChainSource(EndpointPool.open(chainName, chainId, endpoints, settings, System::nanoTime),
                bloomChecks, receiptsProof);
    }

    /**
     * Asks every endpoint not yet checked for its chain id, once (bounded by the endpoints' timeouts); returns
     * when at least one serves this chain.
     *
     * @throws SourceException       when no endpoint answers (the message names each one and why)
     * @throws IllegalStateException when no endpoint is usable and one serves another chain id
     */
    public void verifyOnce() {
        pool.verifyOnce();
    }

    /** From now on calls give up instead of waiting for an endpoint to come back (for a prompt, clean stop). */
    public void stopWaiting() {
        pool.stopWaiting();
    }

    /** Reports every JSON-RPC exchange of every endpoint to {@code observer} (metrics). */
    public void observe(RpcObserver observer) {
        pool.observe(observer);
    }

    @Override
    public long chainId() {
        return pool.chainId();
    }

    /**
     * How many times an empty answer was accepted although the block's bloom said a matching log might be
     * there, after asking other endpoints (blooms have false positives; a steady count hints at a lying node).
     */
    public long acceptedBloomContradictions() {
        return bloomRetry.accepted();
    }

    /** How long ago any endpoint of the chain last answered: long while every endpoint is down. */
    public java.time.Duration sinceLastAnswer() {
        return java.time.Duration.ofNanos(pool.nanosSinceAnswer());
    }

    /** Live figures of each endpoint (requests, errors by kind, latency, rate, range, batch size, head). */
    public List<EndpointMetrics> endpointMetrics() {
        return pool.endpoints().stream().map(Endpoint::metrics).toList();
    }

    /**
     * The head and, where the node has the tag, the finalized block. Every {@link #HEAD_SAMPLE_INTERVAL} all usable
     * endpoints are asked at once: the head is the highest, the finalized block the lowest among endpoints that
     * keep up (so that F never runs ahead of a node we use), and endpoints far behind get no tip calls. In between,
     * one endpoint that keeps up is asked.
     */
    @Override
    public Heads heads() {
        long now = pool.now();
        long last = lastHeadSample.get();
        boolean due = last == Long.MIN_VALUE || now - last >= HEAD_SAMPLE_INTERVAL.toNanos();
        if (pool.endpoints().size() > 1 && due && lastHeadSample.compareAndSet(last, now)) {
            Heads sampled = sampleHeads();
            if (sampled != null) return sampled;
        }
        return pool.callTip("reading the head and finalized block", EndpointPool.triedSet(), this::headsOf);
    }

    private Heads headsOf(Endpoint ep) {
        List<RpcResult> r = ep.calls(List.of(Requests.blockNumber(), Requests.blockByTag("finalized"),
                Requests.blockByTag("safe")));
        long head = Answers.quantity(r.get(0).required(), "eth_blockNumber", ep);
        pool.noteHead(ep, head);
        return new Heads(head, tag(r.get(1), "finalized", head, ep), tag(r.get(2), "safe", head, ep));
    }

    /** The block number a tag names; empty where the node does not have the tag (an error or null answer). */
    private static OptionalLong tag(RpcResult r, String tag, long head, Endpoint ep) {
        if (r.isError() || r.isNull()) return OptionalLong.empty();
        long n = Answers.header(r.result(), ep).number();
        AnswerChecks.notAboveHead(ep, tag, n, head);
        return OptionalLong.of(n);
    }

    /** Asks every usable endpoint for its heads concurrently; null when none answered. */
    private Heads sampleHeads() {
        long now = pool.now();
        List<Endpoint> usable = pool.endpoints().stream().filter(e -> e.health().usable(now)).toList();
        Heads[] answers = new Heads[usable.size()];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < usable.size(); i++) {
            int at = i;
            Endpoint ep = usable.get(i);
            threads.add(Thread.ofVirtual().name("rpc-heads-" + pool.chainName()).start(() -> {
                try {
                    answers[at] = headsOf(ep);
                    ep.health().succeeded();
                } catch (RuntimeException e) {
                    pool.penalise(ep, e);
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SourceException("reading the heads of chain " + pool.chainName() + ": interrupted");
            }
        }
        long best = -1;
        for (Heads h : answers) if (h != null) best = Math.max(best, h.head());
        if (best < 0) return null;
        long lagBlocks = pool.settings().lagBlocks();
        return new Heads(best, lowest(answers, best, lagBlocks, Heads::finalized), lowest(answers, best, lagBlocks, Heads::safe));
    }

    /** The lowest tag among the endpoints that keep up with {@code best}: no endpoint's word moves it up alone. */
    private static OptionalLong lowest(Heads[] answers, long best, long lagBlocks, Function<Heads, OptionalLong> tag) {
        long lowest = Long.MAX_VALUE;
        for (Heads h : answers) {
            if (h == null || best - h.head() > lagBlocks) continue;
            OptionalLong n = tag.apply(h);
            if (n.isPresent()) lowest = Math.min(lowest, n.getAsLong());
        }
        return lowest == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(lowest);
    }

    @Override
    public Optional<BlockHeader> header(long number) {
        List<BlockHeader> one = headers(number, number);
        return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
    }

    @Override
    public List<BlockHeader> headers(long from, long to) {
        if (from < 0 || to < from) throw new IllegalArgumentException("bad header range [" + from + ", " + to + "]");
        return pool.callTip("fetching headers [" + from + ", " + to + "]", EndpointPool.triedSet(),
                ep -> fetchHeaders(ep, from, to));
    }

    /** Headers from..to on one endpoint, stopping at the first null (above its head); linked by parent hash. */
    private static List<BlockHeader> fetchHeaders(Endpoint ep, long from, long to) {
        List<BlockHeader> out = new ArrayList<>();
        BlockHeader prev = null;
        long start = from;
        while (true) {
            long end = to - start < ep.spec().maxBatch() ? to : start + ep.spec().maxBatch() - 1;
            List<Endpoint.Call> calls = new ArrayList<>();
            for (long n = start; n <= end; n++) calls.add(Requests.blockByNumber(n));
            List<RpcResult> results = ep.calls(calls);
            for (int i = 0; i < results.size(); i++) {
                JsonNode block = results.get(i).orNull();
                if (block == null) return out;
                BlockHeader h = Answers.header(block, ep);
                AnswerChecks.isAsked(ep, h, start + i);
                if (prev != null) AnswerChecks.linked(ep, prev, h);
                out.add(h);
                prev = h;
            }
            if (end == to) return out;
            start = end + 1;
        }
    }

    @Override
    public List<Log> blockLogs(Header block, LogFilter filter) {
        String what = "fetching logs of block " + block;
        // proven logs are the block's: an empty answer needs no second opinion
        return bloomRetry.ask(EndpointPool.triedSet(),
                tried -> pool.callTip(what, tried, ep -> fetchBlockLogs(ep, block, filter, tried)),
                a -> a.logs().isEmpty() && !receiptsProof && bloomChecks && AnswerChecks.mayMatch(a.bloom(), filter),
                a -> block, a -> {}).logs();
    }

    /**
     * One endpoint's logs of a block, with the bloom they were checked against ({@link #bloomOf}). With receipts proofs
     * they are the matching logs of the block's receipts, proven against the receiptsRoot of the node's header given,
     * or of the block fetched with them by the same hash ({@link ReceiptProofs#matching}).
     */
    private record BlockLogs(List<Log> logs, LogsBloom bloom) {}

    private BlockLogs fetchBlockLogs(Endpoint ep, Header block, LogFilter filter, Set<Endpoint> tried) {
        Endpoint.Call logsCall = receiptsProof ? Requests.blockReceipts(block.hash())
                : Requests.logsOfBlock(block.hash(), filter);
        List<RpcResult> r = ep.calls(List.of(logsCall, Requests.blockByHash(block.hash()), Requests.blockNumber()));
        RpcResult logsResult = r.get(0);
        RpcResult fetchedBlock = r.get(1);
        long head = Answers.quantity(r.get(2).required(), "eth_blockNumber", ep);
        pool.noteHead(ep, head);
        if (fetchedBlock.isNull() || Requests.isUnknownBlock(logsResult) || Requests.isUnknownBlock(fetchedBlock)) {
            // A node whose head is below the block may simply not have it yet: ask another one where there is one.
            if (head < block.number() && pool.hasUsableOutside(tried)) {
                throw new RpcFault(RpcFault.Kind.LAGGING, ep.name() + " has no block " + block + " with its head at "
                        + head + " (lagging)");
            }
            throw new BlockGoneException("block " + block + " is gone from endpoint " + ep.name()
                    + " (head " + head + "): reorged away");
        }
        BlockHeader fetched = Answers.header(fetchedBlock.required(), ep);
        AnswerChecks.sameBlock(ep, fetched, block);
        List<Log> logs = receiptsProof ? ReceiptProofs.matching(logsResult, block, fetched, filter, ep)
                : Answers.logs(logsResult, ep);
        LogsBloom bloom = bloomOf(block, fetched);
        AnswerChecks.inOrder(logs, block.number(), block.number(), filter, ep);
        for (Log l : logs) AnswerChecks.againstHeader(l, block, bloom, bloomChecks, ep);
        return new BlockLogs(logs, bloom);
    }

    /**
     * The bloom a block's logs are checked against: that of the node's header the caller holds, or, where it has none,
     * that of {@code fetched}, the block fetched with the logs by the same hash. A stored header has none: the
     * database keeps no bloom.
     */
    private static LogsBloom bloomOf(Header block, BlockHeader fetched) {
        return switch (block) {
            case BlockHeader node when node.logsBloom() instanceof LogsBloom.Known known -> known;
            case BlockHeader node -> fetched.logsBloom(); // the node's answer had no logsBloom
            case StoredHeader stored -> fetched.logsBloom();
        };
    }

    /** Logs of {@code [from, to]} from proven receipts, for {@code verify --proof}; see {@link ReceiptProofs#range}. */
    @Override
    public ProvenLogs provenLogs(long from, long to, LogFilter filter) {
        if (from < 0 || to < from) throw new IllegalArgumentException("bad log range [" + from + ", " + to + "]");
        return ReceiptProofs.range(pool, headers(from, to), filter);
    }

    @Override
    public dev.evmindexer.pipeline.TxData txData(List<Log> logs, dev.evmindexer.pipeline.TxData.Needs needs) {
        return TxFetch.fetch(pool, logs, needs);
    }

    @Override
    public RangeLogs rangeLogs(long from, long to, LogFilter filter) {
        if (from < 0 || to < from) throw new IllegalArgumentException("bad log range [" + from + ", " + to + "]");
        RangeFetcher.Result r = ranges.fetch(from, to, filter);
        return new RangeLogs(r.logs(), Map.copyOf(r.headers()));
    }

    @Override
    public List<String> endpoints() {
        return pool.names();
    }

    @Override
    public AttributedLogs rangeLogsOn(String endpoint, long from, long to, LogFilter filter) {
        if (from < 0 || to < from) throw new IllegalArgumentException("bad log range [" + from + ", " + to + "]");
        Set<String> answered = new java.util.LinkedHashSet<>();
        RangeFetcher.Result r = ranges.fetch(from, to, filter, endpoint, answered);
        return new AttributedLogs(new RangeLogs(r.logs(), Map.copyOf(r.headers())), Set.copyOf(answered));
    }

    @Override
    public void blame(String endpoint, String why) {
        pool.penaliseLater(endpoint, why);
    }

    @Override
    public RangePiece rangePiece(long from, long to, LogFilter filter, MemoryBudget budget) {
        if (from < 0 || to < from) throw new IllegalArgumentException("bad log range [" + from + ", " + to + "]");
        return ranges.piece(from, to, filter, budget);
    }

    /**
     * A walk-back's view on one endpoint: a usable one whose last known head is at or above {@code minHead} (chosen
     * at random among them, so that a bad one is not chosen every time), else the one with the highest head.
     */
    @Override
    public Canonical canonical(long minHead) {
        Endpoint pinned = Walks.choose(pool, minHead);
        if (pinned == null) {
            // nothing to pin the walk-back on, nor to confirm with: fail the step, retried once an endpoint is back
            throw new SourceException("no usable endpoint of chain " + pool.chainName() + " to compare chains on");
        }
        return new Walks.Pinned(pool, pinned, RpcChainSource::fetchHeaders);
    }

    @Override
    public void close() {
        pool.close();
    }

    /** For {@link Walks}: the header at {@code number} on {@code ep} (empty above its head). */
    interface HeaderFetch {
        List<BlockHeader> fetch(Endpoint ep, long from, long to);
    }

    static Optional<BlockHeader> one(HeaderFetch f, Endpoint ep, long number) {
        List<BlockHeader> h = f.fetch(ep, number, number);
        return h.isEmpty() ? Optional.empty() : Optional.of(h.get(0));
    }
}
