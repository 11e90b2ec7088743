package dev.evmindexer.devchain;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.BlockRef;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A simulated EVM chain in memory: ERC-20 transfers from a few token contracts, some non-matching
 * logs, and real forks. Thread-safe: mutations are serialised by a lock and publish an immutable
 * {@link Snapshot}; readers never block and always see one consistent chain (a reorg is published at once).
 *
 * <p>Tags: {@code finalized} and {@code safe} are {@code max(0, head - finalityDepth)}. A reorg may
 * only replace blocks above that, unless forced with {@link #forceReorg} (to test halts).
 */
public final class DevChain {
    public static final long DEFAULT_CHAIN_ID = 31337;
    public static final long DEFAULT_BLOCK_TIME_SECONDS = 1;
    /** Genesis time of every devchain unless configured: fixed so that runs are reproducible. */
    public static final long DEFAULT_GENESIS_TIMESTAMP = 1_700_000_000L;
    /** Upper bound of transfers per block for {@link #mineRandom(Random)} and reorg replacements. */
    public static final int DEFAULT_MAX_TRANSFERS = 8;

    /** {@code keccak256("Transfer(address,address,uint256)")}. */
    public static final Hash TRANSFER_TOPIC =
            Hash.fromHex("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    /** {@code keccak256("Approval(address,address,uint256)")}. */
    public static final Hash APPROVAL_TOPIC =
            Hash.fromHex("0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925");
    /** The ERC-20 contracts whose Transfer logs the chain emits. */
    public static final List<Address> TOKENS = List.of(
            Address.fromHex("0x1111111111111111111111111111111111111111"),
            Address.fromHex("0x2222222222222222222222222222222222222222"),
            Address.fromHex("0x3333333333333333333333333333333333333333"));
    /** An unrelated contract that also emits Transfer-shaped logs: only an address filter excludes them. */
    public static final Address OTHER = Address.fromHex("0x9999999999999999999999999999999999999999");

    /** What a reorg did: blocks above {@code ancestor} were replaced, moving the head from one block to another. */
    public record Reorg(long ancestor, int depth, BlockRef oldHead, BlockRef newHead) {}

    /** An immutable view of the canonical chain: {@code blocks[0..size)}, genesis first. */
    record Snapshot(DevBlock[] blocks, int size, int finalityDepth) {
        long head() {
            return size - 1L;
        }

        long finalized() {
            return Math.max(0, head() - finalityDepth);
        }

        /** The canonical block at {@code number}, or null above the head. */
        DevBlock block(long number) {
            return number >= 0 && number < size ? blocks[(int) number] : null;
        }

        @SuppressWarnings("ReferenceEquality") // identity is the point: a reorged-out block of the same number is not canonical
        boolean isCanonical(DevBlock block) {
            return block(block.number()) == block;
        }
    }

    private final long chainId;
    private final int finalityDepth;
    private final long blockTime;
    private final long genesisTimestamp;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Map<Hash, DevBlock> byHash = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot;
    private long nextSalt; // guarded by writeLock
    private volatile boolean realReceiptsRoots = true;

    public DevChain(long chainId, int finalityDepth) {
        this(chainId, finalityDepth, DEFAULT_BLOCK_TIME_SECONDS, DEFAULT_GENESIS_TIMESTAMP);
    }

    /**
     * @param finalityDepth    how far below the head the {@code finalized}/{@code safe} tags are (0: the head)
     * @param blockTimeSeconds simulated seconds between consecutive blocks' timestamps
     */
    public DevChain(long chainId, int finalityDepth, long blockTimeSeconds, long genesisTimestamp) {
        if (chainId <= 0) throw new IllegalArgumentException("chain id must be positive, got " + chainId);
        if (finalityDepth < 0) throw new IllegalArgumentException("finality depth must be >= 0, got " + finalityDepth);
        if (blockTimeSeconds <= 0) throw new IllegalArgumentException("block time must be positive, got " + blockTimeSeconds);
        if (genesisTimestamp < 0) throw new IllegalArgumentException("negative genesis timestamp " + genesisTimestamp);
        this.chainId = chainId;
        this.finalityDepth = finalityDepth;
        this.blockTime = blockTimeSeconds;
        this.genesisTimestamp = genesisTimestamp;
        DevBlock genesis = DevBlock.create(0, Hash.ZERO, genesisTimestamp, nextSalt++, LogTable.EMPTY);
        DevBlock[] blocks = new DevBlock[1024];
        blocks[0] = genesis;
        byHash.put(genesis.hash(), genesis);
        snapshot = new Snapshot(blocks, 1, finalityDepth);
    }

    /**
     * Blocks then carry a stand-in {@code receiptsRoot} (a hash of the transactions and the bloom) instead of the root of
     * their receipts, which {@code eth_getBlockReceipts} answers then do not prove against. For the backfill benchmark:
     * a real root costs about 2 ms per block of 100 logs, work a node does not do per request, which would weigh on
     * the figures.
     */
    public DevChain withoutReceiptsRoots() {
        realReceiptsRoots = false;
        return this;
    }

    boolean realReceiptsRoots() {
        return realReceiptsRoots;
    }

    public long chainId() {
        return chainId;
    }

    public int finalityDepth() {
        return finalityDepth;
    }

    public long head() {
        return snapshot.head();
    }

    /** The block the {@code finalized} and {@code safe} tags name: {@code max(0, head - finalityDepth)}. */
    public long finalized() {
        return snapshot.finalized();
    }

    /** The canonical header at {@code number}, or empty above the head. */
    public Optional<BlockHeader> header(long number) {
        return Optional.ofNullable(snapshot.block(number)).map(DevBlock::header);
    }

    /** The header of a canonical block by hash; empty when unknown or orphaned by a reorg. */
    public Optional<BlockHeader> headerByHash(Hash hash) {
        return Optional.ofNullable(canonicalByHash(hash, snapshot)).map(DevBlock::header);
    }

    /** Every log of the canonical blocks {@code from..to} (clamped to the head), in chain order. */
    public List<Log> logs(long from, long to) {
        Snapshot s = snapshot;
        List<Log> out = new ArrayList<>();
        for (long n = Math.max(0, from); n <= Math.min(to, s.head()); n++) {
            DevBlock b = s.block(n);
            out.addAll(b.logs().table().toLogs(n, b.hash()));
        }
        return out;
    }

    /** Appends a block with exactly these logs, each in its own transaction. */
    public BlockHeader mine(List<LogSpec> logs) {
        LogTable.Builder table = new LogTable.Builder(logs.size());
        writeLock.lock();
        try {
            long number = snapshot.size();
            for (int i = 0; i < logs.size(); i++) {
                LogSpec spec = logs.get(i);
                table.transaction(txHash(number, nextSalt, i), 0).log(spec.address().unsafeBytes(), 0);
                for (Hash topic : spec.topics()) table.topic(topic.unsafeBytes(), 0);
                byte[] data = spec.data();
                table.data(data, 0, data.length);
            }
            return append(table.build()).header();
        } finally {
            writeLock.unlock();
        }
    }

    /** Appends a block of 0..{@link #DEFAULT_MAX_TRANSFERS} random transfers plus some non-matching logs. */
    public BlockHeader mineRandom(Random random) {
        return mineRandom(random, random.nextInt(DEFAULT_MAX_TRANSFERS + 1));
    }

    /** Appends a block of exactly {@code transfers} random token transfers plus a few non-matching logs. */
    public BlockHeader mineRandom(Random random, int transfers) {
        if (transfers < 0) throw new IllegalArgumentException("negative transfer count " + transfers);
        BlockLogs logs = randomLogs(random, transfers);
        writeLock.lock();
        try {
            return append(logs).header();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Appends {@code blocks} blocks of exactly {@code logsPerBlock} logs each (about 9 in 10 token
     * transfers, the rest non-matching), kept as seeds: memory stays a few hundred bytes per block.
     *
     * @return the new head
     */
    public long pregenerate(int blocks, int logsPerBlock, Random random) {
        if (blocks < 0 || logsPerBlock < 0) {
            throw new IllegalArgumentException("negative pregenerate sizes: blocks " + blocks + ", logs " + logsPerBlock);
        }
        int noise = logsPerBlock / 10;
        writeLock.lock();
        try {
            for (int i = 0; i < blocks; i++) {
                append(new GeneratedLogs(random.nextLong(), logsPerBlock - noise, noise));
            }
            return snapshot.head();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Replaces the last {@code depth} blocks with as many new, different blocks (each with at least one
     * transfer). Refuses to touch genesis or any block at or below the finalized tag.
     */
    public Reorg reorg(int depth, Random random) {
        return reorg(depth, random, false);
    }

    /** Like {@link #reorg} but may replace finalized blocks: the chain breaks its finality promise. */
    public Reorg forceReorg(int depth, Random random) {
        return reorg(depth, random, true);
    }

    private Reorg reorg(int depth, Random random, boolean force) {
        writeLock.lock();
        try {
            Snapshot old = snapshot;
            long head = old.head();
            if (depth < 1) throw new IllegalArgumentException("reorg depth must be >= 1, got " + depth);
            if (depth > head) {
                throw new IllegalArgumentException("cannot reorg " + depth + " blocks: head is " + head
                        + " and genesis cannot be replaced");
            }
            long ancestor = head - depth;
            if (!force && ancestor < old.finalized()) {
                throw new IllegalStateException("reorg of depth " + depth + " would replace block " + (ancestor + 1)
                        + " at or below the finalized block " + old.finalized() + " (finality depth "
                        + finalityDepth + "); use forceReorg to break finality on purpose");
            }
            DevBlock[] blocks = Arrays.copyOf(old.blocks(), old.blocks().length);
            Snapshot fork = new Snapshot(blocks, (int) ancestor + 1, finalityDepth);
            List<DevBlock> replacements = new ArrayList<>(depth);
            for (int i = 0; i < depth; i++) {
                replacements.add(mineOnto(fork, randomLogs(random, 1 + random.nextInt(DEFAULT_MAX_TRANSFERS))));
                fork = new Snapshot(blocks, fork.size() + 1, finalityDepth);
            }
            for (long n = ancestor + 1; n <= head; n++) byHash.remove(old.block(n).hash());
            for (DevBlock b : replacements) byHash.put(b.hash(), b);
            snapshot = fork;
            DevBlock oldHead = old.block(head);
            DevBlock newHead = fork.block(head);
            return new Reorg(ancestor, depth, oldHead.header().ref(), newHead.header().ref());
        } finally {
            writeLock.unlock();
        }
    }

    /** The current snapshot, for the RPC server: one consistent chain per request. */
    Snapshot snapshot() {
        return snapshot;
    }

    /** A block by hash if it is canonical in {@code s}; null when unknown or orphaned. */
    DevBlock canonicalByHash(Hash hash, Snapshot s) {
        DevBlock b = byHash.get(hash);
        return b != null && s.isCanonical(b) ? b : null;
    }

    /** Appends one block on the current head and publishes it. Caller holds the write lock. */
    private DevBlock append(BlockLogs logs) {
        Snapshot s = snapshot;
        DevBlock[] blocks = s.blocks();
        if (s.size() == blocks.length) blocks = Arrays.copyOf(blocks, blocks.length * 2);
        DevBlock block = mineOnto(new Snapshot(blocks, s.size(), finalityDepth), logs);
        byHash.put(block.hash(), block);
        snapshot = new Snapshot(blocks, s.size() + 1, finalityDepth);
        return block;
    }

    /**
     * Creates the block above the head of {@code s} and stores it in {@code s.blocks()[s.size()]}, a
     * slot no published snapshot covers. Caller holds the write lock and publishes.
     */
    private DevBlock mineOnto(Snapshot s, BlockLogs logs) {
        long number = s.size();
        DevBlock parent = s.block(number - 1);
        DevBlock block = DevBlock.create(number, parent.hash(), genesisTimestamp + number * blockTime, nextSalt++, logs);
        s.blocks()[(int) number] = block;
        return block;
    }

    private static BlockLogs randomLogs(Random random, int transfers) {
        return new GeneratedLogs(random.nextLong(), transfers, random.nextInt(transfers / 3 + 2));
    }

    private static byte[] txHash(long number, long salt, int index) {
        return DevHashing.keccak256(ByteBuffer.allocate(20).putLong(number).putLong(salt).putInt(index).array());
    }
}
