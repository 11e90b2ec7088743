package dev.evmindexer.devchain;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.proof.Receipt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The receipts of a devchain block, so that its {@code receiptsRoot} is real and {@code eth_getBlockReceipts} answers
 * prove against it: one successful EIP-1559 receipt per transaction, using {@link #GAS_PER_TX} gas, with that
 * transaction's logs (a block's logs are grouped by transaction, so log indexes run across the receipts in order).
 * Roots are cached for the most recent blocks asked for: a header is served many times.
 */
final class DevReceipts {
    static final long GAS_PER_TX = 50_000;
    static final int TX_TYPE = 2;
    private static final int CACHED_ROOTS = 4096;
    private static final Map<Hash, Hash> ROOTS = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, Hash> eldest) {
            return size() > CACHED_ROOTS;
        }
    };

    private DevReceipts() {}

    /** The block's receipts, in transaction order. */
    static List<Receipt> of(DevBlock b) {
        LogTable table = b.logs().table();
        List<Log> logs = table.toLogs(b.number(), b.hash());
        List<Receipt> out = new ArrayList<>(table.txCount());
        int i = 0;
        for (int tx = 0; tx < table.txCount(); tx++) {
            List<Log> mine = new ArrayList<>();
            byte[] bloom = new byte[DevHashing.BLOOM_BYTES];
            for (; i < logs.size() && logs.get(i).txIndex() == tx; i++) {
                Log l = logs.get(i);
                mine.add(l);
                DevHashing.addToBloom(bloom, l.address().unsafeBytes(), 0, 20);
                for (Hash t : l.topics()) DevHashing.addToBloom(bloom, t.unsafeBytes(), 0, 32);
            }
            out.add(Receipt.withStatus(TX_TYPE, true, GAS_PER_TX * (tx + 1), bloom, mine));
        }
        if (i != logs.size()) throw new IllegalStateException("logs of block " + b.number() + " not grouped by transaction");
        return out;
    }

    /** The sender of transaction {@code tx}: the last 20 bytes of its hash (so each transaction has its own). */
    static byte[] sender(LogTable logs, int tx) {
        return java.util.Arrays.copyOfRange(logs.txHashBytes(), tx * 32 + 12, tx * 32 + 32);
    }

    /** The recipient of transaction {@code tx}: the contract that emitted its first log. */
    static byte[] recipient(LogTable logs, int tx) {
        for (int i = 0; i < logs.size(); i++) {
            if (logs.txIndex(i) == tx) return java.util.Arrays.copyOfRange(logs.addressBytes(), i * 20, i * 20 + 20);
        }
        return new byte[20];
    }

    /** The input of transaction {@code tx}: ERC-20 {@code transfer}'s selector, then the transaction's hash. */
    static byte[] input(LogTable logs, int tx) {
        byte[] out = new byte[36];
        System.arraycopy(TRANSFER_SELECTOR, 0, out, 0, 4);
        System.arraycopy(logs.txHashBytes(), tx * 32, out, 4, 32);
        return out;
    }

    private static final byte[] TRANSFER_SELECTOR = {(byte) 0xa9, 0x05, (byte) 0x9c, (byte) 0xbb};

    /** The receipts root of the block. */
    static Hash root(DevBlock b) {
        synchronized (ROOTS) {
            Hash cached = ROOTS.get(b.hash());
            if (cached != null) return cached;
        }
        Hash root = Receipt.root(of(b));
        synchronized (ROOTS) {
            ROOTS.put(b.hash(), root);
        }
        return root;
    }
}
