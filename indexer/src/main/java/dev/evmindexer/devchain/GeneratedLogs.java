package dev.evmindexer.devchain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Logs regenerated from a seed: {@code transfers} ERC-20 Transfer logs from {@link DevChain#TOKENS}
 * mixed with {@code noise} non-matching logs (Approval from a token, or Transfer from
 * {@link DevChain#OTHER}), grouped 1..n per transaction. The same seed and counts always give the
 * same logs; holders come from a fixed pool so the bloom is computed without hashing per log.
 */
record GeneratedLogs(long seed, int transfers, int noise) implements BlockLogs {
    /** Bumped whenever the generation below changes, so old digests never match new logs. */
    private static final byte[] VERSION = "devchain-generated-logs-v1".getBytes(StandardCharsets.US_ASCII);
    static final int HOLDER_COUNT = 4096;

    private static final byte[][] HOLDER_TOPICS = new byte[HOLDER_COUNT][];
    private static final int[][] HOLDER_BITS = new int[HOLDER_COUNT][];
    private static final byte[][] TOKEN_BYTES;
    private static final int[][] TOKEN_BITS;
    private static final byte[] OTHER_BYTES;
    private static final int[] OTHER_BITS;
    private static final byte[] TRANSFER = DevChain.TRANSFER_TOPIC.unsafeBytes();
    private static final int[] TRANSFER_BITS = DevHashing.bloomBits(TRANSFER, 0, 32);
    private static final byte[] APPROVAL = DevChain.APPROVAL_TOPIC.unsafeBytes();
    private static final int[] APPROVAL_BITS = DevHashing.bloomBits(APPROVAL, 0, 32);

    static {
        byte[] prefix = "devchain holder ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < HOLDER_COUNT; i++) {
            byte[] h = DevHashing.keccak256(prefix, ByteBuffer.allocate(4).putInt(i).array());
            byte[] topic = new byte[32];
            System.arraycopy(h, 12, topic, 12, 20);
            HOLDER_TOPICS[i] = topic;
            HOLDER_BITS[i] = DevHashing.bloomBits(topic, 0, 32);
        }
        TOKEN_BYTES = new byte[DevChain.TOKENS.size()][];
        TOKEN_BITS = new int[DevChain.TOKENS.size()][];
        for (int i = 0; i < TOKEN_BYTES.length; i++) {
            TOKEN_BYTES[i] = DevChain.TOKENS.get(i).unsafeBytes();
            TOKEN_BITS[i] = DevHashing.bloomBits(TOKEN_BYTES[i], 0, 20);
        }
        OTHER_BYTES = DevChain.OTHER.unsafeBytes();
        OTHER_BITS = DevHashing.bloomBits(OTHER_BYTES, 0, 20);
    }

    GeneratedLogs {
        if (transfers < 0 || noise < 0) {
            throw new IllegalArgumentException("negative log counts: transfers " + transfers + ", noise " + noise);
        }
    }

    @Override
    public int size() {
        return transfers + noise;
    }

    @Override
    public LogTable table() {
        return generate(null);
    }

    /** The logs bloom of these logs, from the pre-hashed pools. */
    byte[] bloom() {
        byte[] bloom = new byte[DevHashing.BLOOM_BYTES];
        generate(bloom);
        return bloom;
    }

    @Override
    public byte[] digest() {
        return DevHashing.keccak256(VERSION, ByteBuffer.allocate(16).putLong(seed).putInt(transfers).putInt(noise).array());
    }

    /** Generates the logs; when {@code bloom} is not null, also sets their bits in it. */
    private LogTable generate(byte[] bloom) {
        SplittableRandom rnd = new SplittableRandom(seed);
        LogTable.Builder out = new LogTable.Builder(size());
        byte[] word = new byte[32];
        int transfersLeft = transfers;
        int noiseLeft = noise;
        for (int k = 0; k < size(); k++) {
            if (k == 0 || rnd.nextInt(3) != 0) {
                fill(rnd, word, 0, 32);
                out.transaction(word, 0);
            }
            boolean isNoise = rnd.nextInt(transfersLeft + noiseLeft) < noiseLeft;
            int kind = isNoise ? 1 + rnd.nextInt(2) : 0; // 0 token Transfer, 1 token Approval, 2 OTHER Transfer
            if (isNoise) noiseLeft--; else transfersLeft--;
            int token = rnd.nextInt(TOKEN_BYTES.length);
            byte[] address = kind == 2 ? OTHER_BYTES : TOKEN_BYTES[token];
            byte[] topic0 = kind == 1 ? APPROVAL : TRANSFER;
            int from = rnd.nextInt(HOLDER_COUNT);
            int to = rnd.nextInt(HOLDER_COUNT);
            out.log(address, 0).topic(topic0, 0).topic(HOLDER_TOPICS[from], 0).topic(HOLDER_TOPICS[to], 0);
            // a uint256 value of up to 96 bits: wider than int8, so consumers need numeric columns
            Arrays.fill(word, (byte) 0);
            fill(rnd, word, 20, 12);
            out.data(word, 0, 32);
            if (bloom != null) {
                DevHashing.addToBloom(bloom, kind == 2 ? OTHER_BITS : TOKEN_BITS[token]);
                DevHashing.addToBloom(bloom, kind == 1 ? APPROVAL_BITS : TRANSFER_BITS);
                DevHashing.addToBloom(bloom, HOLDER_BITS[from]);
                DevHashing.addToBloom(bloom, HOLDER_BITS[to]);
            }
        }
        return out.build();
    }

    private static void fill(SplittableRandom rnd, byte[] out, int offset, int length) {
        for (int i = 0; i < length; i += 8) {
            long v = rnd.nextLong();
            for (int j = 0; j < 8 && i + j < length; j++) {
                out[offset + i + j] = (byte) (v >>> (8 * j));
            }
        }
    }
}
