package dev.evmindexer.pipeline;

import dev.evmindexer.config.TxField;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Log;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Fills the transaction and block columns ({@code fields:}) of routed rows: one {@link ChainSource#txData} call for
 * the blocks holding rows of tables that have fields, whatever the number of rows (ARCHITECTURE.md, "Transaction and
 * block fields"). Tables without fields, and batches without their rows, cost nothing.
 */
public final class TxColumns {
    private TxColumns() {}

    /** {@code routed} with each row's field values appended after its parameters', in the table's field order. */
    public static List<TableRows> attach(ChainSource source, List<TableRows> routed) {
        Set<TxField> fields = EnumSet.noneOf(TxField.class);
        List<Log> logs = new ArrayList<>();
        for (TableRows tr : routed) {
            if (tr.table().fields().isEmpty() || tr.rows().isEmpty()) continue;
            fields.addAll(tr.table().fields());
            for (EventRow r : tr.rows()) logs.add(r.log());
        }
        if (logs.isEmpty()) return routed;
        logs.sort(java.util.Comparator.comparingLong(Log::blockNumber).thenComparingInt(Log::logIndex));
        TxData data = source.txData(distinct(logs), TxData.Needs.of(fields));
        List<TableRows> out = new ArrayList<>(routed.size());
        for (TableRows tr : routed) {
            if (tr.table().fields().isEmpty() || tr.rows().isEmpty()) {
                out.add(tr);
                continue;
            }
            List<EventRow> rows = new ArrayList<>(tr.rows().size());
            for (EventRow r : tr.rows()) rows.add(withFields(r, tr.table().fields(), data));
            out.add(new TableRows(tr.table(), rows));
        }
        return out;
    }

    /** Logs in chain order, each once (several tables may hold rows of one log). */
    private static List<Log> distinct(List<Log> sorted) {
        List<Log> out = new ArrayList<>(sorted.size());
        for (Log l : sorted) {
            Log last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last == null || last.blockNumber() != l.blockNumber() || last.logIndex() != l.logIndex()) out.add(l);
        }
        return out;
    }

    private static EventRow withFields(EventRow r, List<TxField> fields, TxData data) {
        Log l = r.log();
        TxData.Tx tx = data.txs().get(l.txHash());
        TxData.Block block = data.blocks().get(l.blockHash());
        Object[] values = java.util.Arrays.copyOf(r.values(), r.values().length + fields.size());
        int i = r.values().length;
        for (TxField f : fields) {
            if (f.origin() == TxField.Origin.BLOCK ? block == null : tx == null) {
                // the source checks every log has its transaction and block: this is a bug, not a node's answer
                throw new IllegalStateException("no " + f.column() + " fetched for " + l);
            }
            values[i++] = switch (f) {
                case TX_FROM -> bytes(tx.from());
                case TX_TO -> bytes(tx.to());
                case TX_TYPE -> tx.type();
                case TX_VALUE -> tx.value();
                case TX_INPUT -> tx.input();
                case TX_SELECTOR -> tx.input() == null || tx.input().length < 4 ? null : java.util.Arrays.copyOf(tx.input(), 4);
                case TX_NONCE -> tx.nonce();
                case TX_STATUS -> tx.status();
                case TX_GAS_USED -> tx.gasUsed();
                case TX_EFFECTIVE_GAS_PRICE -> tx.effectiveGasPrice();
                case BLOCK_BASE_FEE -> block.baseFee();
                case BLOCK_MINER -> bytes(block.miner());
            };
        }
        return new EventRow(l, r.blockTime(), values);
    }

    private static byte[] bytes(Address a) {
        return a == null ? null : a.unsafeBytes();
    }
}
