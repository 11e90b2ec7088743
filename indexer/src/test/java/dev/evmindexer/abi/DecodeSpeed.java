package dev.evmindexer.abi;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.util.List;
import java.util.Random;

/**
 * Not a test: prints how many ERC-20 Transfer logs per second one thread decodes (the hot path).
 * Run with {@code java -cp <test-classes>:<classes>:<deps> dev.evmindexer.abi.DecodeSpeed [seconds]}.
 */
public final class DecodeSpeed {
    private DecodeSpeed() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        EventDecoder decoder = new EventDecoder(EventSignature.parse(
                "event Transfer(address indexed from, address indexed to, uint256 value)"));
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
        run(decoder, logs, 1.0, "warm-up");
        run(decoder, logs, seconds, "measured");
    }

    private static void run(EventDecoder decoder, Log[] logs, double seconds, String label) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long count = 0;
        long sink = 0;
        while (System.nanoTime() < deadline) {
            for (Log log : logs) {
                if (decoder.decode(log) instanceof Decoded.Row row) sink += ((byte[]) row.values()[0])[19];
            }
            count += logs.length;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %,.0f Transfer logs/s (%,d in %.2f s, sink %d)%n", label, count / elapsed, count, elapsed, sink);
    }
}
