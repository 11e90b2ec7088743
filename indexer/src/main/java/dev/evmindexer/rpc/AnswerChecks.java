package dev.evmindexer.rpc;

import dev.evmindexer.abi.Bloom;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Header;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.TxData;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one home of the content checks of invariant 6 (ARCHITECTURE.md): whether an answer, already parsed strictly
 * ({@link Answers}, {@link StreamingAnswers}), is what was asked for and agrees with the block headers and the other
 * answers it comes with. The blocks answered are those asked for ({@link #isAsked}, {@link #sameBlock}) and link
 * ({@link #linked}); a tag is not above the head ({@link #notAboveHead}); logs are in range, order and filter
 * ({@link #inOrder}), name their blocks and are in their blooms ({@link #againstHeaders}, {@link #againstHeader});
 * an empty answer a bloom contradicts is told apart ({@link #bloomContradictsEmpty}, {@link #mayMatch}); receipts and
 * transactions are those of their logs ({@link #txOfLog}, {@link #agree}), and a block's receipts name it and their
 * positions ({@link #receiptOf}, {@link #receiptAt}, {@link #logAt}, {@link #gasNotDown}). Each failure is
 * {@link Answers#bad(Endpoint, String)}: an {@link RpcFault} naming the endpoint and what is wrong, retried elsewhere.
 */
final class AnswerChecks {
    private AnswerChecks() {}

    /** A tag's block ({@code finalized}, {@code safe}) is not above the head the same endpoint gave with it. */
    static void notAboveHead(Endpoint ep, String tag, long number, long head) {
        if (number > head) throw Answers.bad(ep, tag + " block " + number + " above its head " + head);
    }

    /** The block answered for {@code eth_getBlockByNumber(asked)} is block {@code asked}. */
    static void isAsked(Endpoint ep, BlockHeader h, long asked) {
        if (h.number() != asked) throw Answers.bad(ep, "block #" + h.number() + " when asked for #" + asked);
    }

    /** In a batch of consecutive headers, {@code h} is the child of {@code prev}, the header before it. */
    static void linked(Endpoint ep, BlockHeader prev, BlockHeader h) {
        if (!prev.ref().isParentOf(h.ref())) {
            throw Answers.bad(ep, "block " + h + " that does not link to the block before it, " + prev);
        }
    }

    /** The block answered for {@code eth_getBlockByHash} of {@code asked} has its hash and number. */
    static void sameBlock(Endpoint ep, BlockHeader fetched, Header asked) {
        if (!fetched.hash().equals(asked.hash()) || fetched.number() != asked.number()) {
            throw Answers.bad(ep, "block " + fetched + " when asked for " + asked + " by hash");
        }
    }

    /**
     * A block object answered for {@code eth_getBlockByHash(askedHash)} has that hash and the number
     * {@code askedNumber}; {@code askedName} names the block asked for in the message.
     */
    static void sameBlock(Endpoint ep, long number, Hash hash, long askedNumber, Hash askedHash, String askedName) {
        if (number != askedNumber || !hash.equals(askedHash)) {
            throw Answers.bad(ep, "block #" + number + " " + hash.shortHex() + " when asked for " + askedName + " by hash");
        }
    }

    /** Block {@code number}, asked for because the answer has logs in it, is there ({@code block} is not null). */
    static void hasBlockWithLogs(Endpoint ep, RpcResult block, long number) {
        if (block.isNull()) throw Answers.bad(ep, "no block #" + number + " although it has logs");
    }

    /**
     * A receipt or transaction object ({@code where}), fetched by the hash of block {@code askedNumber} for
     * {@code log}, names that block ({@code number}, {@code blockHash}) and the log's transaction ({@code index},
     * {@code txHash}).
     */
    static void txOfLog(Endpoint ep, String where, long number, Hash blockHash, int index, Hash txHash,
            long askedNumber, Hash askedHash, Log log) {
        if (number != askedNumber || !blockHash.equals(askedHash) || index != log.txIndex() || !txHash.equals(log.txHash())) {
            throw Answers.bad(ep, where + " naming transaction " + index + " " + txHash.shortHex() + " of block #" + number
                    + " " + blockHash.shortHex() + " where " + log + " has transaction " + log.txIndex() + " "
                    + log.txHash().shortHex());
        }
    }

    /** A receipt ({@code where}) of {@code eth_getBlockReceipts} of {@code block} names that block. */
    static void receiptOf(Endpoint ep, String where, long number, Hash hash, Header block) {
        if (number != block.number() || !hash.equals(block.hash())) {
            throw Answers.bad(ep, where + " naming block #" + number + " " + hash.shortHex());
        }
    }

    /** The receipt at position {@code index} of a block's receipts is that of transaction {@code index}. */
    static void receiptAt(Endpoint ep, String where, int txIndex, int index) {
        if (txIndex != index) throw Answers.bad(ep, where + " with transactionIndex " + txIndex + " (out of order)");
    }

    /** A log of receipt {@code index} of {@code block} names that block and transaction, at log index {@code logIndex}. */
    static void logAt(Endpoint ep, String where, Log log, Header block, int index, int logIndex) {
        if (log.blockNumber() != block.number() || !log.blockHash().equals(block.hash()) || log.txIndex() != index
                || log.logIndex() != logIndex) {
            throw Answers.bad(ep, where + " with " + log + " of transaction " + log.txIndex() + " at log index "
                    + log.logIndex() + " where transaction " + index + ", log index " + logIndex + " belongs");
        }
    }

    /** Receipt {@code index} of {@code block} does not have less cumulative gas than the receipt before it. */
    static void gasNotDown(Endpoint ep, int index, Header block, long cumulative, long before) {
        if (cumulative < before) {
            throw Answers.bad(ep, "receipt " + index + " of block " + block + " whose cumulativeGasUsed goes down");
        }
    }

    /** The transaction ({@code t}) and the receipt ({@code r}) of {@code log} agree on sender, recipient and type. */
    static void agree(Endpoint ep, TxData.Tx t, TxData.Tx r, Log log) {
        if (!t.from().equals(r.from()) || !Objects.equals(t.to(), r.to()) || !t.type().equals(r.type())) {
            throw Answers.bad(ep, "a receipt and a transaction of " + log + " that disagree on sender, recipient or type");
        }
    }

    /**
     * Logs in chain order: block numbers within {@code [from, to]} and non-decreasing, log indexes strictly
     * increasing within each block, each log matching {@code filter}.
     */
    static void inOrder(List<Log> logs, long from, long to, LogFilter filter, Endpoint ep) {
        Log prev = null;
        for (Log log : logs) {
            if (log.blockNumber() < from || log.blockNumber() > to) {
                throw Answers.bad(ep, log + " outside the range [" + from + ", " + to + "] asked for");
            }
            if (!filter.matches(log)) throw Answers.bad(ep, log + " that does not match the filter");
            if (prev != null && (log.blockNumber() < prev.blockNumber()
                    || (log.blockNumber() == prev.blockNumber() && log.logIndex() <= prev.logIndex()))) {
                throw Answers.bad(ep, "logs out of order: " + log + " after " + prev);
            }
            prev = log;
        }
    }

    /**
     * Every log's block hash and number are its block's header's, and with {@code bloomChecks} its address and
     * topics are in that header's bloom (a header without one refuses nothing). {@code headers} must hold every log's
     * block number.
     */
    static void againstHeaders(List<Log> logs, Map<Long, BlockHeader> headers, boolean bloomChecks, Endpoint ep) {
        // addresses and topics repeat across a range's logs (a token, its event, its holders): hash each value once
        Map<Object, int[]> bits = new java.util.HashMap<>();
        for (Log log : logs) {
            BlockHeader h = headers.get(log.blockNumber());
            if (h == null) throw new IllegalStateException("no header fetched for " + log);
            if (log.blockNumber() != h.number() || !log.blockHash().equals(h.hash())) {
                throw Answers.bad(ep, log + " with block hash " + log.blockHash().shortHex() + " but block " + h);
            }
            if (bloomChecks && !mayContain(h.logsBloom(), log, bits)) {
                throw Answers.bad(ep, log + " whose address or topics are not in the logsBloom of block " + h);
            }
        }
    }

    /** {@link #mayContain(LogsBloom, Log)} with each value's bits computed once in {@code bits}. */
    private static boolean mayContain(LogsBloom bloom, Log log, Map<Object, int[]> bits) {
        return switch (bloom) {
            case LogsBloom.Unknown unknown -> true; // nothing can be concluded from no bloom
            case LogsBloom.Known known -> {
                byte[] b = known.unsafeBytes();
                if (!Bloom.containsBits(b, bits.computeIfAbsent(log.address(), a -> Bloom.bits(log.address().unsafeBytes())))) {
                    yield false;
                }
                for (Hash topic : log.topics()) {
                    if (!Bloom.containsBits(b, bits.computeIfAbsent(topic, t -> Bloom.bits(topic.unsafeBytes())))) yield false;
                }
                yield true;
            }
        };
    }

    /**
     * The log names {@code block} (its hash and number), and with {@code bloomChecks} its address and topics are in
     * {@code bloom}, the block's (an unknown bloom refuses nothing).
     */
    static void againstHeader(Log log, Header block, LogsBloom bloom, boolean bloomChecks, Endpoint ep) {
        if (log.blockNumber() != block.number() || !log.blockHash().equals(block.hash())) {
            throw Answers.bad(ep, log + " with block hash " + log.blockHash().shortHex() + " but block " + block);
        }
        if (bloomChecks && !mayContain(bloom, log)) {
            throw Answers.bad(ep, log + " whose address or topics are not in the logsBloom of block " + block);
        }
    }

    /** True when the block has no log in {@code logs} although its bloom says a matching log may be there. */
    static boolean bloomContradictsEmpty(List<Log> logs, BlockHeader block, LogFilter filter) {
        return logs.stream().noneMatch(l -> l.blockNumber() == block.number())
                && mayMatch(block.logsBloom(), filter);
    }

    /**
     * True when the log's address and every one of its topics may be in {@code bloom} ({@link Bloom}); true for an
     * {@link LogsBloom.Unknown unknown} bloom ("the source gave none"): nothing can be concluded from it.
     */
    static boolean mayContain(LogsBloom bloom, Log log) {
        return switch (bloom) {
            case LogsBloom.Unknown unknown -> true;
            case LogsBloom.Known known -> {
                byte[] b = known.unsafeBytes();
                if (!Bloom.mightContain(b, log.address().unsafeBytes())) yield false;
                for (Hash topic : log.topics()) {
                    if (!Bloom.mightContain(b, topic.unsafeBytes())) yield false;
                }
                yield true;
            }
        };
    }

    /**
     * True when a block with this bloom may hold a log matching {@code filter}: one of its addresses, one of its topic0s
     * and one value of each constrained topic position may all be present. False for an
     * {@link LogsBloom.Unknown unknown} or all-zero bloom, since then nothing says the block should have had a log.
     */
    static boolean mayMatch(LogsBloom bloom, LogFilter filter) {
        return switch (bloom) {
            case LogsBloom.Unknown unknown -> false;
            case LogsBloom.Known known -> !known.isZero() && mayMatch(known.unsafeBytes(), filter);
        };
    }

    private static boolean mayMatch(byte[] bloom, LogFilter filter) {
        boolean address = filter.addresses().isEmpty()
                || filter.addresses().stream().anyMatch(a -> Bloom.mightContain(bloom, a.unsafeBytes()));
        boolean topic = filter.topic0s().isEmpty()
                || filter.topic0s().stream().anyMatch(t -> Bloom.mightContain(bloom, t.unsafeBytes()));
        if (!address || !topic) return false;
        for (List<Hash> position : filter.topics()) {
            if (!position.isEmpty() && position.stream().noneMatch(t -> Bloom.mightContain(bloom, t.unsafeBytes()))) return false;
        }
        return true;
    }
}
