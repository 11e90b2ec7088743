package dev.evmindexer.devchain;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live traffic for a {@link DevChain}: every {@code blockInterval} a background thread runs one
 * {@link #step()}: with probability {@code reorgChance} it first reorgs 1..{@code maxReorgDepth}
 * unfinalized blocks, then it mines a block of 0..{@code maxTransfers} transfers. All choices come
 * from one {@code Random(seed)}, so the same seed gives the same chain (for the same number of steps).
 */
public final class DevChainDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevChainDriver.class);
    public static final Duration DEFAULT_BLOCK_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_REORG_DEPTH = 5;
    public static final double DEFAULT_REORG_CHANCE = 0.05;

    /** How the driver mines. {@code reorgChance} is per block, in [0, 1]. */
    public record Options(Duration blockInterval, int maxTransfers, double reorgChance, int maxReorgDepth, long seed) {
        public Options {
            Objects.requireNonNull(blockInterval, "blockInterval");
            if (blockInterval.isNegative() || blockInterval.isZero()) {
                throw new IllegalArgumentException("block interval must be positive, got " + blockInterval);
            }
            if (maxTransfers < 0) throw new IllegalArgumentException("max transfers must be >= 0, got " + maxTransfers);
            if (!(reorgChance >= 0 && reorgChance <= 1)) {
                throw new IllegalArgumentException("reorg chance must be in [0, 1], got " + reorgChance);
            }
            if (maxReorgDepth < 1) throw new IllegalArgumentException("max reorg depth must be >= 1, got " + maxReorgDepth);
        }

        /** One block a second, up to {@link DevChain#DEFAULT_MAX_TRANSFERS} transfers, a reorg every ~20 blocks. */
        public static Options defaults(long seed) {
            return new Options(DEFAULT_BLOCK_INTERVAL, DevChain.DEFAULT_MAX_TRANSFERS, DEFAULT_REORG_CHANCE,
                    DEFAULT_MAX_REORG_DEPTH, seed);
        }
    }

    private final DevChain chain;
    private final Options options;
    private final Consumer<DevChain.Reorg> onReorg;
    private final Random random;
    private final ReentrantLock stepLock = new ReentrantLock();
    private final AtomicLong blocksMined = new AtomicLong();
    private final AtomicLong reorgs = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    /** A driver that does nothing until {@link #start()} or {@link #step()}; {@code onReorg} may be null. */
    public DevChainDriver(DevChain chain, Options options, Consumer<DevChain.Reorg> onReorg) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.options = Objects.requireNonNull(options, "options");
        this.onReorg = onReorg == null ? r -> {} : onReorg;
        this.random = new Random(options.seed());
    }

    /** Creates and starts a driver. */
    public static DevChainDriver start(DevChain chain, Options options, Consumer<DevChain.Reorg> onReorg) {
        return new DevChainDriver(chain, options, onReorg).start();
    }

    /** Starts the background thread ({@code devchain-driver}, a daemon). */
    public synchronized DevChainDriver start() {
        if (thread != null) throw new IllegalStateException("devchain driver already started");
        running = true;
        thread = new Thread(this::run, "devchain-driver");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** One tick: maybe a reorg (only of unfinalized blocks), then one new block. Safe to call from any thread. */
    public void step() {
        stepLock.lock();
        try {
            if (random.nextDouble() < options.reorgChance()) {
                long reorgable = chain.head() - chain.finalized(); // min(head, finality depth): never genesis
                if (reorgable >= 1) {
                    int depth = 1 + random.nextInt((int) Math.min(options.maxReorgDepth(), reorgable));
                    DevChain.Reorg reorg = chain.reorg(depth, random);
                    reorgs.incrementAndGet();
                    LOG.info("devchain reorg: {} blocks above #{} replaced, head {} -> {}",
                            depth, reorg.ancestor(), reorg.oldHead(), reorg.newHead());
                    notifyReorg(reorg);
                }
            }
            chain.mineRandom(random, random.nextInt(options.maxTransfers() + 1));
            blocksMined.incrementAndGet();
        } finally {
            stepLock.unlock();
        }
    }

    /** Blocks appended by {@link #step()} (not counting blocks that replaced others in a reorg). */
    public long blocksMined() {
        return blocksMined.get();
    }

    public long reorgs() {
        return reorgs.get();
    }

    /** Stops the background thread, if started, and waits for it to finish its current step. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t == null) return;
        t.interrupt();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long interval = options.blockInterval().toNanos();
        long next = System.nanoTime() + interval;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(wait));
                } catch (InterruptedException e) {
                    return; // close() asked us to stop
                }
            }
            if (!running) return;
            try {
                step();
            } catch (RuntimeException e) {
                // a concurrent scripted reorg may race ours; the next tick tries again
                LOG.warn("devchain driver step failed: {}", e.toString());
            }
            next += interval;
            long now = System.nanoTime();
            if (next < now) next = now + interval; // fell behind: skip the missed ticks, no burst of blocks
        }
    }

    private void notifyReorg(DevChain.Reorg reorg) {
        try {
            onReorg.accept(reorg);
        } catch (RuntimeException e) {
            LOG.warn("devchain reorg listener failed", e);
        }
    }
}
