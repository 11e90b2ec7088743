package dev.evmindexer.devchain;

import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A Uniswap-style factory on the devchain, for the demo and the benchmark: {@link #FACTORY} announces pair {@code i}
 * ({@link #pair}) with a {@code PairCreated} log, and pairs emit {@code Swap}. Pair addresses are fixed by their number,
 * so a creation a reorg removes leaves a pair that swaps without being a child (the indexer must not keep those).
 */
public final class DevFactory {
    public static final Address FACTORY = Address.fromHex("0xfac0000000000000000000000000000000000001");
    public static final String PAIR_CREATED =
            "event PairCreated(address indexed token0, address indexed token1, address pair, uint256 n)";
    public static final String SWAP = "event Swap(address indexed sender, uint256 amount)";
    public static final Hash PAIR_CREATED_TOPIC = EventSignature.parse(PAIR_CREATED).topic0();
    public static final Hash SWAP_TOPIC = EventSignature.parse(SWAP).topic0();

    private int pairs;

    /** Pair {@code i}'s address. */
    public static Address pair(int i) {
        return Address.fromHex("0x%s%032x".formatted("5a175a17", i));
    }

    /** The factory's {@code PairCreated(token0, token1, pair(i), i)}. */
    public static LogSpec created(int i) {
        byte[] data = new byte[64];
        System.arraycopy(pair(i).unsafeBytes(), 0, data, 12, 20);
        System.arraycopy(LogSpec.uint256(BigInteger.valueOf(i)), 0, data, 32, 32);
        return new LogSpec(FACTORY, List.of(PAIR_CREATED_TOPIC, LogSpec.pad(DevChain.TOKENS.get(0)),
                LogSpec.pad(DevChain.TOKENS.get(1))), data);
    }

    /** Pair {@code i}'s {@code Swap(sender, amount)}. */
    public static LogSpec swap(int i, long amount) {
        return new LogSpec(pair(i), List.of(SWAP_TOPIC, LogSpec.pad(DevChain.OTHER)), LogSpec.uint256(BigInteger.valueOf(amount)));
    }

    /** Pairs announced so far by {@link #next}. */
    public int pairs() {
        return pairs;
    }

    /**
     * The factory logs of one block: a new pair one time in four (swapping in the same block), then a few swaps of pairs
     * created before, and now and then a swap of a pair not created yet (not a child: never indexed).
     */
    public List<LogSpec> next(Random random) {
        List<LogSpec> out = new ArrayList<>();
        if (pairs == 0 || random.nextInt(4) == 0) {
            out.add(created(pairs));
            out.add(swap(pairs, 1 + random.nextInt(1000)));
            pairs++;
        }
        for (int k = random.nextInt(4); k > 0; k--) out.add(swap(random.nextInt(pairs), 1 + random.nextInt(1_000_000)));
        if (random.nextInt(5) == 0) out.add(swap(pairs + 1, 7));
        return out;
    }
}
