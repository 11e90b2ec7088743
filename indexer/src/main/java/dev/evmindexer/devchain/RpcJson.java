package dev.evmindexer.devchain;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.evmindexer.proof.Receipt;
import java.io.IOException;
import java.util.List;

/**
 * Writes devchain blocks and logs as JSON-RPC objects straight into a streaming generator, hex
 * encoding into one reused buffer (no String per field): the benchmark serves millions of logs.
 * One instance per response; not thread-safe.
 */
final class RpcJson {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] ZERO_ADDRESS = new byte[20];
    private static final byte[] ZERO_HASH = new byte[32];
    private static final byte[] ZERO_NONCE = new byte[8];
    /** keccak256(rlp([])): the uncle hash of every block without uncles. */
    private static final byte[] EMPTY_UNCLES =
            dev.evmindexer.eth.Hex.decode("0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
    /** The root of an empty Merkle-Patricia trie (no transactions, no receipts). */
    private static final byte[] EMPTY_TRIE =
            dev.evmindexer.eth.Hex.decode("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    private static final long GAS_LIMIT = 30_000_000;
    private static final long GAS_PER_TX = DevReceipts.GAS_PER_TX;
    private static final long BASE_FEE = 1_000_000_000;

    private static final SerializedString ADDRESS = new SerializedString("address");
    private static final SerializedString TOPICS = new SerializedString("topics");
    private static final SerializedString DATA = new SerializedString("data");
    private static final SerializedString BLOCK_NUMBER = new SerializedString("blockNumber");
    private static final SerializedString BLOCK_HASH = new SerializedString("blockHash");
    private static final SerializedString TX_HASH = new SerializedString("transactionHash");
    private static final SerializedString TX_INDEX = new SerializedString("transactionIndex");
    private static final SerializedString LOG_INDEX = new SerializedString("logIndex");
    private static final SerializedString REMOVED = new SerializedString("removed");

    private final JsonGenerator g;
    private char[] buf = new char[2 + 2 * DevHashing.BLOOM_BYTES];
    // the block whose hash and number were last encoded, reused across its logs
    private DevBlock cachedBlock;
    private final char[] blockHashHex = new char[66];
    private char[] blockNumberHex = new char[18];
    private int blockNumberLength;

    RpcJson(JsonGenerator g) {
        this.g = g;
    }

    /**
     * The block object of {@code eth_getBlockBy*}, with transaction hashes, or with transaction objects when
     * {@code fullTransactions}; its receiptsRoot is the real one ({@link DevReceipts#root}) unless
     * {@code realReceiptsRoot} is false ({@link DevChain#withoutReceiptsRoots}).
     */
    void block(DevBlock b, boolean realReceiptsRoot, boolean fullTransactions) throws IOException {
        LogTable logs = b.logs().table();
        int txs = logs.txCount();
        byte[] txHashes = logs.txHashBytes();
        byte[] txRoot = txs == 0 ? EMPTY_TRIE : DevHashing.keccak256(txHashes, 0, txs * 32);
        byte[] receiptsRoot = realReceiptsRoot ? DevReceipts.root(b).unsafeBytes()
                : txs == 0 ? EMPTY_TRIE : DevHashing.keccak256(txRoot, b.bloom());
        g.writeStartObject();
        quantityField("number", b.number());
        hexField("hash", b.hash().unsafeBytes());
        hexField("parentHash", b.parentHash().unsafeBytes());
        hexField("nonce", ZERO_NONCE);
        hexField("mixHash", ZERO_HASH);
        hexField("sha3Uncles", EMPTY_UNCLES);
        hexField("logsBloom", b.bloom());
        hexField("transactionsRoot", txRoot);
        hexField("stateRoot", DevHashing.keccak256(b.hash().unsafeBytes()));
        hexField("receiptsRoot", receiptsRoot);
        hexField("miner", ZERO_ADDRESS);
        quantityField("difficulty", 0);
        quantityField("totalDifficulty", 0);
        hexField("extraData", EMPTY);
        quantityField("size", 540 + 120L * txs);
        quantityField("gasLimit", GAS_LIMIT);
        quantityField("gasUsed", GAS_PER_TX * txs);
        quantityField("timestamp", b.timestamp());
        quantityField("baseFeePerGas", BASE_FEE);
        g.writeFieldName("transactions");
        g.writeStartArray();
        for (int t = 0; t < txs; t++) {
            if (fullTransactions) transaction(b, logs, t);
            else hex(txHashes, t * 32, 32);
        }
        g.writeEndArray();
        g.writeFieldName("uncles");
        g.writeStartArray();
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * The {@code eth_getBlockReceipts} answer of block {@code b}: its {@link DevReceipts}, each with the fields nodes
     * send (sender and recipient as {@link DevReceipts#sender} and {@link DevReceipts#recipient}) and its logs as {@code eth_getLogs} entries.
     */
    void receipts(DevBlock b) throws IOException {
        LogTable logs = b.logs().table();
        List<Receipt> receipts = DevReceipts.of(b);
        g.writeStartArray();
        int i = 0;
        for (int tx = 0; tx < receipts.size(); tx++) {
            Receipt r = receipts.get(tx);
            g.writeStartObject();
            quantityField("type", r.type());
            quantityField("status", 1);
            quantityField("cumulativeGasUsed", r.cumulativeGasUsed());
            g.writeFieldName("logs");
            g.writeStartArray();
            for (int k = 0; k < r.logs().size(); k++) log(b, logs, i++);
            g.writeEndArray();
            hexField("logsBloom", r.logsBloom());
            g.writeFieldName(TX_HASH);
            hex(logs.txHashBytes(), tx * 32, 32);
            g.writeFieldName(TX_INDEX);
            quantity(tx);
            hexField("blockHash", b.hash().unsafeBytes());
            quantityField("blockNumber", b.number());
            quantityField("gasUsed", GAS_PER_TX);
            quantityField("effectiveGasPrice", BASE_FEE);
            hexField("from", DevReceipts.sender(logs, tx));
            hexField("to", DevReceipts.recipient(logs, tx));
            g.writeFieldName("contractAddress");
            g.writeNull();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * Transaction {@code tx} of block {@code b} as a full transaction object, consistent with its receipt
     * ({@link DevReceipts}: sender, recipient and type; see {@link DevReceipts#sender}).
     */
    private void transaction(DevBlock b, LogTable logs, int tx) throws IOException {
        g.writeStartObject();
        quantityField("type", DevReceipts.TX_TYPE);
        g.writeFieldName("hash");
        hex(logs.txHashBytes(), tx * 32, 32);
        quantityField("nonce", b.number());
        hexField("blockHash", b.hash().unsafeBytes());
        quantityField("blockNumber", b.number());
        g.writeFieldName(TX_INDEX);
        quantity(tx);
        hexField("from", DevReceipts.sender(logs, tx));
        hexField("to", DevReceipts.recipient(logs, tx));
        quantityField("value", 0);
        quantityField("gas", GAS_PER_TX);
        quantityField("maxFeePerGas", 2 * BASE_FEE);
        quantityField("maxPriorityFeePerGas", 0);
        quantityField("gasPrice", BASE_FEE);
        hexField("input", DevReceipts.input(logs, tx));
        g.writeFieldName("accessList");
        g.writeStartArray();
        g.writeEndArray();
        quantityField("v", 0);
        hexField("r", ZERO_HASH);
        hexField("s", ZERO_HASH);
        g.writeEndObject();
    }

    /** Log {@code i} of {@code logs}, which are the logs of block {@code b}, as an {@code eth_getLogs} entry. */
    void log(DevBlock b, LogTable logs, int i) throws IOException {
        if (b != cachedBlock) {
            encode(b.hash().unsafeBytes(), 0, 32, blockHashHex);
            blockNumberLength = encodeQuantity(b.number(), blockNumberHex);
            cachedBlock = b;
        }
        g.writeStartObject();
        g.writeFieldName(ADDRESS);
        hex(logs.addressBytes(), i * 20, 20);
        g.writeFieldName(TOPICS);
        g.writeStartArray();
        byte[] topics = logs.topicBytes();
        for (int k = 0; k < logs.topicCount(i); k++) hex(topics, logs.topicOffset(i, k), 32);
        g.writeEndArray();
        g.writeFieldName(DATA);
        hex(logs.dataBytes(), logs.dataOffset(i), logs.dataLength(i));
        g.writeFieldName(BLOCK_NUMBER);
        g.writeString(blockNumberHex, 0, blockNumberLength);
        g.writeFieldName(BLOCK_HASH);
        g.writeString(blockHashHex, 0, 66);
        int tx = logs.txIndex(i);
        g.writeFieldName(TX_HASH);
        hex(logs.txHashBytes(), tx * 32, 32);
        g.writeFieldName(TX_INDEX);
        quantity(tx);
        g.writeFieldName(LOG_INDEX);
        quantity(i);
        g.writeFieldName(REMOVED);
        g.writeBoolean(false);
        g.writeEndObject();
    }

    void quantity(long value) throws IOException {
        int n = encodeQuantity(value, buf);
        g.writeString(buf, 0, n);
    }

    void hex(byte[] bytes, int offset, int length) throws IOException {
        if (buf.length < 2 + 2 * length) buf = new char[2 + 2 * length];
        int n = encode(bytes, offset, length, buf);
        g.writeString(buf, 0, n);
    }

    private void hexField(String name, byte[] bytes) throws IOException {
        g.writeFieldName(name);
        hex(bytes, 0, bytes.length);
    }

    private void quantityField(String name, long value) throws IOException {
        g.writeFieldName(name);
        quantity(value);
    }

    private static int encode(byte[] bytes, int offset, int length, char[] out) {
        out[0] = '0';
        out[1] = 'x';
        for (int i = 0; i < length; i++) {
            int b = bytes[offset + i];
            out[2 + 2 * i] = DIGITS[(b >> 4) & 0xF];
            out[3 + 2 * i] = DIGITS[b & 0xF];
        }
        return 2 + 2 * length;
    }

    /** A JSON-RPC quantity: {@code 0x} and the hex digits without leading zeros ({@code 0x0} for zero). */
    private static int encodeQuantity(long value, char[] out) {
        if (value < 0) throw new IllegalArgumentException("negative quantity " + value);
        int digits = value == 0 ? 1 : (67 - Long.numberOfLeadingZeros(value)) / 4;
        out[0] = '0';
        out[1] = 'x';
        for (int i = digits - 1; i >= 0; i--) {
            out[2 + i] = DIGITS[(int) (value & 0xF)];
            value >>>= 4;
        }
        return 2 + digits;
    }
}
