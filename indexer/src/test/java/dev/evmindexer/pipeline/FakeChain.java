package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Header;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * A hand-written chain for pipeline tests: blocks are appended one call per block ({@link #mine}),
 * forks replace the top blocks ({@link #reorg}), and the node can be made to lag ({@link #showHead}) or
 * to change under the pipeline's feet while it walks back ({@link #onHeader}). Each block carries
 * {@code transfers} ERC-20 Transfer logs from {@link #TOKEN} and one log from another contract.
 */
final class FakeChain implements ChainSource {
    static final Address TOKEN = Address.fromHex("0x00000000000000000000000000000000000000aa");
    static final Address OTHER = Address.fromHex("0x00000000000000000000000000000000000000bb");
    static final Hash TRANSFER = Hash.fromHex("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");

    private record Block(BlockHeader header, List<Log> logs) {}

    private final List<Block> blocks = new ArrayList<>();
    private int forkSalt;
    private Long visibleHead;
    private OptionalLong finalizedTag = OptionalLong.empty();
    private LongConsumer onHeader = n -> {};
    int headerCalls;
    /** What a second endpoint says when asked to confirm; null: there is no second endpoint. */
    private Boolean secondAgrees;
    final List<BlockRefAsked> confirmations = new ArrayList<>();

    record BlockRefAsked(long number, Hash hash) {}

    FakeChain() {
        blocks.add(block(0, Hash.ZERO, 0));
    }

    long head() {
        return blocks.size() - 1L;
    }

    /** Gives the chain a second endpoint that agrees (or not) whenever a walk-back asks it to confirm. */
    FakeChain secondEndpoint(boolean agrees) {
        this.secondAgrees = agrees;
        return this;
    }

    @Override
    public Canonical canonical(long minHead) {
        return new Canonical() {
            @Override
            public Optional<BlockHeader> header(long number) {
                return FakeChain.this.header(number);
            }

            @Override
            public boolean confirm(long number, Hash hash, IfNoneCanTell ifNoneCanTell) {
                confirmations.add(new BlockRefAsked(number, hash));
                return secondAgrees == null || secondAgrees;
            }
        };
    }

    /** Appends one block with {@code transfers} Transfer logs. */
    FakeChain mine(int transfers) {
        long n = blocks.size();
        blocks.add(block(n, blocks.get((int) n - 1).header().hash(), transfers));
        return this;
    }

    /** A log a test puts in a block after its transfers: the chain adds the position and hashes. */
    record Extra(Address address, List<Hash> topics, byte[] data) {}

    /** Appends one block with {@code transfers} Transfer logs followed by {@code extra}, all in the last transaction. */
    FakeChain mine(int transfers, List<Extra> extra) {
        mine(transfers);
        Block b = blocks.remove(blocks.size() - 1);
        List<Log> logs = new ArrayList<>(b.logs());
        Log last = logs.get(logs.size() - 1);
        for (Extra e : extra) {
            logs.add(new Log(e.address(), e.topics(), e.data(), last.blockNumber(), last.blockHash(), last.txHash(),
                    last.txIndex(), logs.size()));
        }
        blocks.add(new Block(b.header(), logs));
        return this;
    }

    FakeChain mine(int blocksToMine, int transfersEach) {
        for (int i = 0; i < blocksToMine; i++) mine(transfersEach);
        return this;
    }

    /** Replaces the top {@code depth} blocks by a fork of the same length with other hashes and logs. */
    FakeChain reorg(int depth) {
        forkSalt++;
        long top = head();
        for (int i = 0; i < depth; i++) blocks.remove(blocks.size() - 1);
        for (long n = top - depth + 1; n <= top; n++) {
            blocks.add(block(n, blocks.get((int) n - 1).header().hash(), (int) (n % 3) + 1));
        }
        return this;
    }

    /** The node answers as if its head were {@code head} (lagging), or the real head when null. */
    FakeChain showHead(Long head) {
        this.visibleHead = head;
        return this;
    }

    FakeChain finalizedTag(long n) {
        this.finalizedTag = OptionalLong.of(n);
        return this;
    }

    /** Called before every header lookup, with the number asked: lets a test reorg mid walk-back. */
    FakeChain onHeader(LongConsumer hook) {
        this.onHeader = hook;
        return this;
    }

    BlockHeader headerAt(long n) {
        return blocks.get((int) n).header();
    }

    /** Every log of canonical block {@code n}. */
    List<Log> logsAt(long n) {
        return blocks.get((int) n).logs();
    }

    /** Every canonical Transfer log from {@code TOKEN} in blocks {@code from..to}. */
    List<Log> canonicalTransfers(long from, long to) {
        List<Log> out = new ArrayList<>();
        for (long n = from; n <= Math.min(to, head()); n++) {
            for (Log l : blocks.get((int) n).logs()) if (l.address().equals(TOKEN) && l.topics().size() == 3) out.add(l);
        }
        return out;
    }

    private long visible() {
        return visibleHead == null ? head() : Math.min(visibleHead, head());
    }

    @Override
    public long chainId() {
        return 1;
    }

    @Override
    public Heads heads() {
        return new Heads(visible(), finalizedTag);
    }

    @Override
    public Optional<BlockHeader> header(long number) {
        headerCalls++;
        onHeader.accept(number);
        return number <= visible() ? Optional.of(headerAt(number)) : Optional.empty();
    }

    @Override
    public List<BlockHeader> headers(long from, long to) {
        List<BlockHeader> out = new ArrayList<>();
        for (long n = from; n <= to && n <= visible(); n++) out.add(headerAt(n));
        return out;
    }

    @Override
    public List<Log> blockLogs(Header header, LogFilter filter) {
        if (header.number() > head() || !headerAt(header.number()).hash().equals(header.hash())) {
            throw new BlockGoneException("block " + header + " is gone");
        }
        return blocks.get((int) header.number()).logs().stream().filter(filter::matches).toList();
    }

    @Override
    public RangeLogs rangeLogs(long from, long to, LogFilter filter) {
        if (to > visible()) throw new SourceException("range [" + from + ", " + to + "] above head " + visible());
        List<Log> logs = new ArrayList<>();
        var headers = new java.util.HashMap<Long, BlockHeader>();
        for (long n = from; n <= to; n++) {
            for (Log l : blocks.get((int) n).logs()) {
                if (!filter.matches(l)) continue;
                logs.add(l);
                headers.put(n, headerAt(n));
            }
        }
        return new RangeLogs(logs, headers);
    }

    private Block block(long n, Hash parent, int transfers) {
        Hash hash = hash(n, forkSalt, 0);
        List<Log> logs = new ArrayList<>();
        int idx = 0;
        for (int i = 0; i < transfers; i++) {
            byte[] value = new byte[32];
            ByteBuffer.wrap(value).putLong(24, n * 1000 + i + forkSalt * 7L);
            logs.add(new Log(TOKEN, List.of(TRANSFER, word(n), word(i + 100L)), value, n, hash,
                    hash(n, forkSalt, i + 1), i, idx++));
        }
        logs.add(new Log(OTHER, List.of(TRANSFER, word(n), word(1)), new byte[32], n, hash, hash(n, forkSalt, 99), transfers, idx++));
        if (n % 5 == 0) { // an ERC-721 Transfer: same topic0, four topics, no data; must not land in an ERC-20 table
            logs.add(new Log(TOKEN, List.of(TRANSFER, word(1), word(2), word(n)), new byte[0], n, hash,
                    hash(n, forkSalt, 98), transfers + 1, idx));
        }
        return new Block(new BlockHeader(n, hash, parent, 1_700_000_000L + n * 12, LogsBloom.UNKNOWN), logs);
    }

    private static Hash word(long v) {
        byte[] b = new byte[32];
        ByteBuffer.wrap(b).putLong(24, v);
        return Hash.of(b);
    }

    private static Hash hash(long n, int salt, int i) {
        byte[] b = new byte[32];
        ByteBuffer.wrap(b).putLong(0, n).putInt(8, salt).putInt(12, i).putLong(24, 0x5eed);
        return Hash.of(b);
    }
}
