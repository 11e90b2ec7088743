package dev.evmindexer.abi;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test: prints how many logs per second one thread decodes, for ERC-20 Transfer (the flat hot
 * path) and a struct-heavy event (a flattened struct with a nested struct and a string, an array of
 * structs to jsonb, and a uint256[] array): a quick warmed-up loop, and the logs the JMH benchmark
 * ({@code src/jmh}, {@code scripts/bench-decode}) decodes. Run with
 * {@code java -cp <test-classes>:<classes>:<deps> dev.evmindexer.abi.DecodeSpeed [seconds]}.
 */
public final class DecodeSpeed {
    static final String STRUCT_EVENT = "event OrderFilled((address maker, (uint256 amount, uint16 feeBps) price, string memo) order,"
            + " (uint8 kind, uint256 amount, address to)[] legs, uint256[] ids, address indexed taker)";

    private DecodeSpeed() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        EventDecoder transfer = new EventDecoder(EventSignature.parse(
                "event Transfer(address indexed from, address indexed to, uint256 value)"));
        EventDecoder struct = new EventDecoder(EventSignature.parse(STRUCT_EVENT));
        Log[] transfers = transferLogs(transfer);
        Log[] structs = structLogs(struct);
        run(transfer, transfers, 1.0, "warm-up Transfer");
        run(struct, structs, 1.0, "warm-up struct-heavy");
        run(transfer, transfers, seconds, "Transfer");
        run(struct, structs, seconds, "struct-heavy (" + structs[0].data().length + "-byte data, 3 legs, 4 ids)");
    }

    static Log[] transferLogs(EventDecoder decoder) {
        Hash topic0 = decoder.signature().topic0();
        Random rnd = new Random(1);
        Log[] logs = new Log[1024];
        for (int i = 0; i < logs.length; i++) {
            byte[] from = new byte[32];
            byte[] to = new byte[32];
            byte[] value = new byte[32];
            rnd.nextBytes(from);
            rnd.nextBytes(to);
            java.util.Arrays.fill(from, 0, 12, (byte) 0);
            java.util.Arrays.fill(to, 0, 12, (byte) 0);
            for (int b = 32 - 1 - rnd.nextInt(20); b < 32; b++) value[b] = (byte) rnd.nextInt(256);
            logs[i] = new Log(Address.of(new byte[20]), List.of(topic0, Hash.of(from), Hash.of(to)), value,
                    1, Hash.ZERO, Hash.ZERO, 0, i);
        }
        return logs;
    }

    static Log[] structLogs(EventDecoder decoder) {
        Random rnd = new Random(2);
        Log[] logs = new Log[1024];
        List<AbiType> types = new ArrayList<>();
        for (EventParam p : decoder.signature().params()) if (!p.indexed()) types.add(p.abiType());
        for (int i = 0; i < logs.length; i++) {
            Object order = new Object[] {bytes(rnd, 20), new Object[] {new BigInteger(200, rnd), (long) rnd.nextInt(10_000)}, "memo #" + i};
            Object[] legs = new Object[3];
            for (int l = 0; l < legs.length; l++) legs[l] = new Object[] {(long) rnd.nextInt(256), new BigInteger(128, rnd), bytes(rnd, 20)};
            Object[] ids = {new BigInteger(64, rnd), new BigInteger(64, rnd), new BigInteger(64, rnd), new BigInteger(64, rnd)};
            byte[] data = TestEncoder.sequence(types, List.of(order, legs, ids));
            byte[] taker = new byte[32];
            System.arraycopy(bytes(rnd, 20), 0, taker, 12, 20);
            logs[i] = new Log(Address.of(new byte[20]), List.of(decoder.signature().topic0(), Hash.of(taker)), data,
                    1, Hash.ZERO, Hash.ZERO, 0, i);
        }
        if (!(decoder.decode(logs[0]) instanceof Decoded.Row)) throw new IllegalStateException("benchmark log does not decode");
        return logs;
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static void run(EventDecoder decoder, Log[] logs, double seconds, String label) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long count = 0;
        long sink = 0;
        while (System.nanoTime() < deadline) {
            for (Log log : logs) {
                if (decoder.decode(log) instanceof Decoded.Row row) sink += row.values().length;
            }
            count += logs.length;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %,.0f logs/s on one thread (%,d in %.2f s, sink %d)%n", label, count / elapsed, count, elapsed, sink);
    }
}
