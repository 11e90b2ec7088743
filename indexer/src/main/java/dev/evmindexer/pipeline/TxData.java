package dev.evmindexer.pipeline;

import dev.evmindexer.config.TxField;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/**
 * The transactions and blocks of some logs, as {@link ChainSource#txData} fetched them for tables' {@code fields}:
 * transactions by hash, blocks by hash. A value a call did not fetch is null.
 */
public record TxData(Map<Hash, Tx> txs, Map<Hash, Block> blocks) {
    public TxData {
        txs = Map.copyOf(txs);
        blocks = Map.copyOf(blocks);
    }

    /**
     * One transaction, from its receipt, its full form or both.
     *
     * @param to null for a contract creation
     */
    public record Tx(Address from, Address to, Integer type, BigInteger value, byte[] input, Long nonce, Boolean status,
                     Long gasUsed, BigInteger effectiveGasPrice) {}

    /** @param baseFee null before London */
    public record Block(BigInteger baseFee, Address miner) {}

    /**
     * What to fetch per block for a set of fields: the receipts ({@code eth_getBlockReceipts}), the full transactions
     * ({@code eth_getBlockByHash(h, true)}), or the block alone ({@code eth_getBlockByHash(h, false)}). Fields found in
     * both receipts and transactions (sender, recipient, type) come from whichever is fetched anyway, receipts when
     * neither is; block fields come with full transactions when those are fetched.
     */
    public record Needs(boolean receipts, boolean transactions, boolean block) {
        public static Needs of(Collection<TxField> fields) {
            boolean receiptOnly = fields.stream().anyMatch(f -> f.origin() == TxField.Origin.RECEIPT);
            boolean txOnly = fields.stream().anyMatch(f -> f.origin() == TxField.Origin.TRANSACTION);
            boolean either = fields.stream().anyMatch(f -> f.origin() == TxField.Origin.EITHER);
            boolean block = fields.stream().anyMatch(f -> f.origin() == TxField.Origin.BLOCK);
            return new Needs(receiptOnly || (either && !txOnly), txOnly, block);
        }

        public boolean none() {
            return !receipts && !transactions && !block;
        }

        /** The calls per block holding a wanted log: at most two (receipts and a block). */
        public int callsPerBlock() {
            return (receipts ? 1 : 0) + (transactions || block ? 1 : 0);
        }
    }
}
