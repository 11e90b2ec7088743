package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.TxData;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fetches what tables' {@code fields} need of the blocks holding some logs (ARCHITECTURE.md, "Transaction and block
 * fields"): per block, {@code eth_getBlockReceipts} and/or {@code eth_getBlockByHash} (with full transactions, or the
 * block alone), by the block's hash, in JSON-RPC batches of at most the endpoint's {@code max_batch} requests and
 * {@link #MAX_BLOCKS_PER_BATCH} blocks, all on one endpoint. Every answer is checked like the others (invariant 6, {@link AnswerChecks}): each receipt and transaction names the block and
 * its own index, and each log's transaction is there with the log's transaction hash; anything else is a bad answer,
 * retried on another endpoint.
 */
final class TxFetch {
    /**
     * Most blocks per JSON-RPC batch: a full mainnet block's receipts are about 300 KB of JSON, read whole into a tree,
     * so a batch holds at most a few MB per fetcher whatever {@code max_batch} allows (invariant 7: the range phase's
     * budget does not count these answers).
     */
    static final int MAX_BLOCKS_PER_BATCH = 10;

    private TxFetch() {}

    /** A block holding logs: its number and hash, and the logs. */
    private record Block(long number, Hash hash, List<Log> logs) {
        String name() {
            return "#" + number + "(" + hash.shortHex() + ")";
        }
    }

    static TxData fetch(EndpointPool pool, List<Log> logs, TxData.Needs needs) {
        if (logs.isEmpty() || needs.none()) return new TxData(Map.of(), Map.of());
        Map<Hash, Block> byHash = new LinkedHashMap<>();
        for (Log l : logs) {
            byHash.computeIfAbsent(l.blockHash(), h -> new Block(l.blockNumber(), h, new ArrayList<>())).logs().add(l);
        }
        List<Block> blocks = List.copyOf(byHash.values());
        String what = "fetching transactions of " + blocks.size() + " blocks from #" + blocks.get(0).number();
        return pool.call(what, EndpointPool.triedSet(), ep -> fetchOn(ep, blocks, needs));
    }

    private static TxData fetchOn(Endpoint ep, List<Block> blocks, TxData.Needs needs) {
        int perBlock = needs.callsPerBlock();
        int blocksPerBatch = Math.max(1, Math.min(MAX_BLOCKS_PER_BATCH, ep.spec().maxBatch() / perBlock));
        Map<Hash, TxData.Tx> txs = new HashMap<>();
        Map<Hash, TxData.Block> blockFields = new HashMap<>();
        for (int i = 0; i < blocks.size(); i += blocksPerBatch) {
            List<Block> group = blocks.subList(i, Math.min(blocks.size(), i + blocksPerBatch));
            List<Endpoint.Call> calls = new ArrayList<>(group.size() * perBlock);
            for (Block b : group) {
                if (needs.receipts()) calls.add(Requests.blockReceipts(b.hash()));
                if (needs.transactions() || needs.block()) calls.add(Requests.blockByHash(b.hash(), needs.transactions()));
            }
            List<RpcResult> answers = ep.calls(calls);
            int k = 0;
            for (Block b : group) {
                Map<Integer, TxData.Tx> fromReceipts = needs.receipts() ? receipts(result(answers.get(k++), b, ep), b, ep) : Map.of();
                Map<Integer, TxData.Tx> fromTxs = Map.of();
                if (needs.transactions() || needs.block()) {
                    JsonNode block = result(answers.get(k++), b, ep);
                    blockFields.put(b.hash(), blockFields(block, b, ep));
                    if (needs.transactions()) fromTxs = transactions(block, b, ep);
                }
                for (Log l : b.logs()) {
                    TxData.Tx r = fromReceipts.get(l.txIndex());
                    TxData.Tx t = fromTxs.get(l.txIndex());
                    if (t == null && r == null) continue; // block fields only
                    txs.put(l.txHash(), t == null ? r : r == null ? t : merged(t, r, l, ep));
                }
            }
        }
        return new TxData(txs, blockFields);
    }

    /**
     * A result that must be there: the logs name the block. A null or "unknown block" answer is taken for an endpoint
     * that has not seen it yet (tip blocks), asked elsewhere; a block reorged away meanwhile fails everywhere, and the
     * next step's parent-hash check finds the reorg.
     */
    private static JsonNode result(RpcResult r, Block b, Endpoint ep) {
        if (r.isNull() || Requests.isUnknownBlock(r)) {
            throw new RpcFault(RpcFault.Kind.LAGGING, ep.name() + " has nothing for block " + b.name() + " (lagging, or reorged away)");
        }
        return r.required();
    }

    /** Reads one receipt or transaction object, already checked to be the log's, into its values. */
    private interface Reader {
        TxData.Tx read(JsonNode o, String where, Endpoint ep);
    }

    /**
     * The entries of {@code list} (receipts, or full transactions, in transaction order) of the logs' transactions, by
     * index, each checked against the block and its log; one missing is a bad answer.
     */
    private static Map<Integer, TxData.Tx> perLog(JsonNode list, String kind, Block b, Endpoint ep, Reader reader) {
        if (!list.isArray()) throw Answers.bad(ep, "block " + b.name() + " whose " + kind + "s are not an array");
        Map<Integer, TxData.Tx> out = new HashMap<>();
        for (Log l : b.logs()) {
            if (out.containsKey(l.txIndex())) continue;
            JsonNode o = l.txIndex() < list.size() ? list.get(l.txIndex()) : null;
            String where = kind + " " + l.txIndex() + " of block " + b.name();
            if (o == null || !o.isObject()) throw Answers.bad(ep, "no " + kind + " object for " + l + " (" + where + ")");
            position(o, b, l, where, ep);
            out.put(l.txIndex(), reader.read(o, where, ep));
        }
        return out;
    }

    private static Map<Integer, TxData.Tx> receipts(JsonNode receipts, Block b, Endpoint ep) {
        return perLog(receipts, "receipt", b, ep, (r, where, e) -> {
            Boolean status = null;
            JsonNode s = r.get("status");
            if (s != null && !s.isNull()) {
                long v = Answers.quantity(s, "status", e);
                if (v > 1) throw Answers.bad(e, where + " with status " + v);
                status = v == 1;
            }
            return new TxData.Tx(address(r, "from", where, e), recipient(r, where, e), type(r, e), null, null, null, status,
                    Answers.quantityField(r, "gasUsed", e), optionalBig(r, "effectiveGasPrice", e));
        });
    }

    private static Map<Integer, TxData.Tx> transactions(JsonNode block, Block b, Endpoint ep) {
        return perLog(Answers.field(block, "transactions", ep), "transaction", b, ep, (t, where, e) -> new TxData.Tx(
                address(t, "from", where, e), nullableAddress(t, "to", where, e), type(t, e), big(Answers.field(t, "value", e), "value", e),
                Answers.bytes(Answers.field(t, "input", e), "input", e), Answers.quantityField(t, "nonce", e), null, null, null));
    }

    /** A receipt's or transaction's block, index and hash must be the log's. */
    private static void position(JsonNode o, Block b, Log l, String where, Endpoint ep) {
        long number = Answers.quantityField(o, "blockNumber", ep);
        Hash blockHash = Answers.hashField(o, "blockHash", ep);
        int index = Answers.intQuantity(o, "transactionIndex", ep);
        Hash txHash = Answers.hashField(o, o.has("hash") ? "hash" : "transactionHash", ep);
        AnswerChecks.txOfLog(ep, where, number, blockHash, index, txHash, b.number(), b.hash(), l);
    }

    private static TxData.Block blockFields(JsonNode block, Block b, Endpoint ep) {
        long number = Answers.quantityField(block, "number", ep);
        Hash hash = Answers.hashField(block, "hash", ep);
        AnswerChecks.sameBlock(ep, number, hash, b.number(), b.hash(), b.name());
        return new TxData.Block(optionalBig(block, "baseFeePerGas", ep), address(block, "miner", "block " + b.name(), ep));
    }

    /** Transaction fields read from both answers: the sender, recipient and type must agree. */
    private static TxData.Tx merged(TxData.Tx t, TxData.Tx r, Log l, Endpoint ep) {
        AnswerChecks.agree(ep, t, r, l);
        return new TxData.Tx(t.from(), t.to(), t.type(), t.value(), t.input(), t.nonce(), r.status(), r.gasUsed(),
                r.effectiveGasPrice());
    }

    /** The recipient of a receipt: null for a contract creation (which names its {@code contractAddress}). */
    private static Address recipient(JsonNode r, String where, Endpoint ep) {
        Address to = nullableAddress(r, "to", where, ep);
        JsonNode created = r.get("contractAddress");
        if (to == null && (created == null || created.isNull())) {
            throw Answers.bad(ep, where + " with neither a recipient nor a created contract");
        }
        return to;
    }

    /** The transaction type; absent on nodes from before EIP-2718: legacy (0). */
    private static Integer type(JsonNode o, Endpoint ep) {
        JsonNode t = o.get("type");
        if (t == null || t.isNull()) return 0;
        long type = Answers.quantity(t, "type", ep);
        if (type > Short.MAX_VALUE) throw Answers.bad(ep, "a transaction of type " + type);
        return (int) type;
    }

    private static Address address(JsonNode o, String name, String where, Endpoint ep) {
        Address a = nullableAddress(o, name, where, ep);
        if (a == null) throw Answers.bad(ep, where + " without " + name);
        return a;
    }

    private static Address nullableAddress(JsonNode o, String name, String where, Endpoint ep) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) return null;
        byte[] b = Answers.bytes(v, name, ep);
        if (b.length != Address.SIZE) throw Answers.bad(ep, where + " whose " + name + " is " + b.length + " bytes, not 20");
        return Address.of(b);
    }

    private static BigInteger optionalBig(JsonNode o, String name, Endpoint ep) {
        JsonNode v = o.get(name);
        return v == null || v.isNull() ? null : big(v, name, ep);
    }

    /** A quantity of up to 256 bits. */
    private static BigInteger big(JsonNode v, String name, Endpoint ep) {
        if (!v.isTextual() || !v.asText().matches("0x(0|[1-9a-f][0-9a-f]{0,63})")) {
            throw Answers.bad(ep, name + " that is not a hex quantity of at most 256 bits");
        }
        return new BigInteger(v.asText().substring(2), 16);
    }
}
