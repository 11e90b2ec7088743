package dev.evmindexer.abi;

import dev.evmindexer.eth.Log;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding throughput per core (one benchmark thread): ERC-20 {@code Transfer}, the backfill's hot path,
 * and a struct-heavy event (flattened nested struct with a string, an array of structs to jsonb, a
 * {@code uint256[]}). Each invocation decodes a batch of 1,024 different logs; the score is batches/s, so
 * logs/s is the score times 1,024. Run with {@code scripts/bench-decode}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBenchmark {
    private EventDecoder transfer;
    private EventDecoder struct;
    private Log[] transfers;
    private Log[] structs;

    @Setup
    public void setUp() {
        transfer = new EventDecoder(EventSignature.parse("event Transfer(address indexed from, address indexed to, uint256 value)"));
        struct = new EventDecoder(EventSignature.parse(DecodeSpeed.STRUCT_EVENT));
        transfers = DecodeSpeed.transferLogs(transfer);
        structs = DecodeSpeed.structLogs(struct);
        if (!(transfer.decode(transfers[0]) instanceof Decoded.Row) || !(struct.decode(structs[0]) instanceof Decoded.Row)) {
            throw new IllegalStateException("benchmark logs do not decode");
        }
    }

    @Benchmark
    public void transfer1024(Blackhole bh) {
        for (Log l : transfers) bh.consume(transfer.decode(l));
    }

    @Benchmark
    public void structHeavy1024(Blackhole bh) {
        for (Log l : structs) bh.consume(struct.decode(l));
    }
}
