package dev.evmindexer.rpc;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Header;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.ProvenLogs;
import dev.evmindexer.pipeline.RangeLogs;
import dev.evmindexer.pipeline.SourceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Logs from proven receipts ({@link BlockReceipts}): of one tip block, and of a range for {@code verify --proof}, whose
 * blocks' receipts are asked for in JSON-RPC batches (up to the endpoint's batch size per exchange).
 */
final class ReceiptProofs {
    /** Blocks whose receipts one pool call fetches (each endpoint splits them into batches of its own size). */
    static final int BLOCKS_PER_CALL = 16;

    private ReceiptProofs() {}

    /**
     * The logs matching {@code filter} of the block {@code block} names, from the receipts answer, proven against the
     * receiptsRoot of the node's header the caller holds, or {@code fetched}'s where there is none there: the caller
     * holds a stored header (the database keeps no receipts root), or the node's header came without one
     * ({@code fetched} is the block fetched with the receipts, by the same hash).
     */
    static List<Log> matching(RpcResult receipts, Header block, BlockHeader fetched, LogFilter filter, Endpoint ep) {
        Optional<Hash> held = switch (block) {
            case BlockHeader node -> node.receiptsRoot();
            case StoredHeader stored -> Optional.empty();
        };
        Hash root = held.or(fetched::receiptsRoot).orElseThrow(
                () -> Answers.bad(ep, "block " + fetched + " without a receiptsRoot, which receipts_proof needs"));
        Optional<Hash> fetchedRoot = fetched.receiptsRoot();
        if (fetchedRoot.isPresent() && !fetchedRoot.get().equals(root)) {
            throw Answers.bad(ep, "block " + fetched + " with receiptsRoot " + fetchedRoot.get().shortHex()
                    + " where its header had " + root.shortHex());
        }
        return BlockReceipts.prove(receipts.required(), block, root, ep).stream().filter(filter::matches).toList();
    }

    /**
     * Proves the receipts of each of {@code headers} (consecutive canonical headers) and keeps the logs matching
     * {@code filter}. A group of blocks that fails on every endpoint tried is proven again block by block, so that a
     * failure is pinned on its block; a block that still fails is reported in {@link ProvenLogs#unproven}.
     */
    static ProvenLogs range(EndpointPool pool, List<BlockHeader> headers, LogFilter filter) {
        List<Log> logs = new ArrayList<>();
        Map<Long, BlockHeader> withLogs = new HashMap<>();
        Map<Long, String> unproven = new LinkedHashMap<>();
        List<BlockHeader> rooted = new ArrayList<>(headers.size());
        for (BlockHeader h : headers) {
            if (h.receiptsRoot().isPresent()) rooted.add(h);
            else unproven.put(h.number(), "the node's header has no receiptsRoot to prove against");
        }
        for (int i = 0; i < rooted.size(); i += BLOCKS_PER_CALL) {
            List<BlockHeader> group = rooted.subList(i, Math.min(rooted.size(), i + BLOCKS_PER_CALL));
            List<List<Log>> proven;
            try {
                proven = prove(pool, group);
            } catch (SourceException e) {
                proven = new ArrayList<>();
                for (BlockHeader h : group) {
                    try {
                        proven.add(prove(pool, List.of(h)).get(0));
                    } catch (SourceException one) {
                        unproven.put(h.number(), one.getMessage());
                        proven.add(List.of());
                    }
                }
            }
            for (int k = 0; k < group.size(); k++) {
                for (Log l : proven.get(k)) {
                    if (!filter.matches(l)) continue;
                    logs.add(l);
                    withLogs.put(l.blockNumber(), group.get(k));
                }
            }
        }
        return new ProvenLogs(new RangeLogs(logs, Map.copyOf(withLogs)), unproven);
    }

    /** Every log of each block of {@code group}, from receipts fetched in one exchange and proven; retried elsewhere. */
    private static List<List<Log>> prove(EndpointPool pool, List<BlockHeader> group) {
        BlockHeader first = group.get(0);
        BlockHeader last = group.get(group.size() - 1);
        Set<Endpoint> tried = EndpointPool.triedSet();
        return pool.call("proving the receipts of blocks [" + first.number() + ", " + last.number() + "]", tried, ep -> {
            List<Endpoint.Call> calls = new ArrayList<>(group.size());
            for (BlockHeader h : group) calls.add(Requests.blockReceipts(h.hash()));
            List<RpcResult> answers = ep.calls(calls);
            List<List<Log>> out = new ArrayList<>(group.size());
            for (int k = 0; k < group.size(); k++) {
                BlockHeader h = group.get(k);
                RpcResult a = answers.get(k);
                if (a.isNull() || Requests.isUnknownBlock(a)) {
                    throw Answers.bad(ep, "no receipts for block " + h + " (reorged away, or not served)");
                }
                out.add(BlockReceipts.prove(a.required(), h, h.receiptsRoot().orElseThrow(), ep));
            }
            return out;
        });
    }
}
