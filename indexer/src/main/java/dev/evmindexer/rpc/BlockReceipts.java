package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Header;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import dev.evmindexer.pipeline.SourceException;
import dev.evmindexer.proof.Receipt;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an {@code eth_getBlockReceipts} answer and proves it against the block's {@code receiptsRoot} (ARCHITECTURE.md,
 * invariant 9): the receipts are re-encoded and built into the receipts trie, whose root must be the header's. A log
 * left out, added, altered or moved changes that root, so logs taken from proven receipts are the block's logs. The
 * answer's positions are checked too ({@link AnswerChecks}): every receipt and log names the block, receipt
 * {@code i} is transaction {@code i}, and log indexes count the logs across the block. A failure is an
 * {@link RpcFault}: a bad answer, retried on another endpoint. (Transaction hashes are not covered: they belong to the
 * transactions root.)
 */
final class BlockReceipts {
    private BlockReceipts() {}

    /**
     * Every log of the block {@code header} names, from its proven receipts.
     *
     * @param receipts the {@code eth_getBlockReceipts} result (an array)
     * @param header   the block the receipts must name (a node's header or a stored one)
     * @param root     the receipts root to prove against (the node header's)
     * @throws RpcFault        when the answer is malformed, names another block or position, or does not prove
     * @throws SourceException when a receipt is of a transaction type the proof cannot encode (not the node's fault)
     */
    static List<Log> prove(JsonNode receipts, Header header, Hash root, Endpoint ep) {
        List<Receipt> parsed = read(receipts, header, ep);
        Hash computed = Receipt.root(parsed);
        if (!computed.equals(root)) {
            throw Answers.bad(ep, "receipts of block " + header + " whose trie root " + computed.shortHex()
                    + " is not the header's receiptsRoot " + root.shortHex() + " (a log or receipt is missing or altered)");
        }
        List<Log> logs = new ArrayList<>();
        for (Receipt r : parsed) logs.addAll(r.logs());
        return logs;
    }

    /** The receipts of the answer, checked against the block and their positions, not yet proven. */
    static List<Receipt> read(JsonNode receipts, Header header, Endpoint ep) {
        if (receipts == null || !receipts.isArray()) {
            throw Answers.bad(ep, "eth_getBlockReceipts of block " + header + " that is not an array");
        }
        List<Receipt> out = new ArrayList<>(receipts.size());
        int logIndex = 0;
        long gas = 0;
        for (int i = 0; i < receipts.size(); i++) {
            Receipt r = receipt(receipts.get(i), i, logIndex, header, ep);
            AnswerChecks.gasNotDown(ep, i, header, r.cumulativeGasUsed(), gas);
            gas = r.cumulativeGasUsed();
            logIndex += r.logs().size();
            out.add(r);
        }
        return out;
    }

    /**
     * Receipt {@code index} of the block, whose first log must have log index {@code firstLogIndex}: it must name the
     * block and that transaction index, and its logs the block and consecutive log indexes from there.
     */
    static Receipt receipt(JsonNode r, int index, int firstLogIndex, Header header, Endpoint ep) {
        String where = "receipt " + index + " of block " + header;
        if (r == null || !r.isObject()) throw Answers.bad(ep, where + " that is not an object");
        long number = Answers.quantityField(r, "blockNumber", ep);
        Hash hash = Answers.hashField(r, "blockHash", ep);
        AnswerChecks.receiptOf(ep, where, number, hash, header);
        AnswerChecks.receiptAt(ep, where, Answers.intQuantity(r, "transactionIndex", ep), index);
        long cumulative = Answers.quantityField(r, "cumulativeGasUsed", ep);
        byte[] bloom = Answers.bytes(Answers.field(r, "logsBloom", ep), "logsBloom", ep);
        if (bloom.length != LogsBloom.SIZE) throw Answers.bad(ep, where + " with a " + bloom.length + "-byte logsBloom");
        JsonNode logsNode = Answers.field(r, "logs", ep);
        if (!logsNode.isArray()) throw Answers.bad(ep, where + " whose logs are not an array");
        List<Log> logs = new ArrayList<>(logsNode.size());
        int logIndex = firstLogIndex;
        for (JsonNode l : logsNode) {
            Log log = Answers.log(l, ep);
            AnswerChecks.logAt(ep, where, log, header, index, logIndex);
            logs.add(log);
            logIndex++;
        }
        return new Receipt(type(r, where, ep), outcome(r, where, ep), cumulative, bloom, logs);
    }

    /** The transaction type ({@code type} is absent in receipts of nodes from before EIP-2718: legacy). */
    private static int type(JsonNode r, String where, Endpoint ep) {
        JsonNode t = r.get("type");
        if (t == null || t.isNull()) return 0;
        long type = Answers.quantity(t, "type", ep);
        if (!Receipt.SUPPORTED_TYPES.contains((int) Math.min(type, Integer.MAX_VALUE))) {
            throw new SourceException(ep.name() + " answered " + where + " of transaction type " + type
                    + ", whose receipt encoding the proof does not know (types " + Receipt.SUPPORTED_TYPES
                    + "): set receipts_proof: false for this chain");
        }
        return (int) type;
    }

    /** The EIP-658 status (0 or 1) or, before Byzantium, the 32-byte state root in {@code root}. */
    private static byte[] outcome(JsonNode r, String where, Endpoint ep) {
        JsonNode status = r.get("status");
        if (status != null && !status.isNull()) {
            long s = Answers.quantity(status, "status", ep);
            if (s > 1) throw Answers.bad(ep, where + " with status " + s);
            return s == 1 ? new byte[] {1} : new byte[0];
        }
        JsonNode root = r.get("root");
        if (root == null || root.isNull()) throw Answers.bad(ep, where + " with neither status nor root");
        byte[] b = Answers.bytes(root, "root", ep);
        if (b.length != Hash.SIZE) throw Answers.bad(ep, where + " with a root of " + b.length + " bytes");
        return b;
    }
}
