package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.EventRow;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The COPY text encoding of one row: every value kind and every character COPY treats specially. */
class CopyRowsTest {
    private static final Hash H = Hash.fromHex("0x" + "ab".repeat(32));
    private static final Address A = Address.fromHex("0x" + "01".repeat(20));

    private static String line(Object... values) {
        Log log = new Log(A, List.of(H), new byte[0], 12, H, H, 3, 7);
        return CopyRows.line(1, new EventRow(log, 1_700_000_000L, values));
    }

    private static final String PREFIX = "1\t12\t\\\\x" + "ab".repeat(32) + "\t2023-11-14T22:13:20Z\t\\\\x" + "ab".repeat(32)
            + "\t3\t7\t\\\\x" + "01".repeat(20);

    @Test
    void standardColumnsThenValues() {
        assertEquals(PREFIX + "\t\\N\tt\tf\n", line(null, true, false));
    }

    @Test
    void numbersOfEveryWidthAndSign() {
        assertEquals(PREFIX + "\t0\t-42\t-9223372036854775808\t9223372036854775807\n", line(0L, -42L, Long.MIN_VALUE, Long.MAX_VALUE));
        BigInteger max = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
        BigInteger min = BigInteger.TWO.pow(255).negate();
        assertEquals(PREFIX + "\t" + max + "\t" + min + "\t5\n", line(max, min, BigInteger.valueOf(5)));
    }

    @Test
    void textEscapesWhatCopyUnescapesAndReplacesNul() {
        assertEquals(PREFIX + "\ta\\\\b\\tc\\nd\\re\uFFFDf\n", line("a\\b\tc\nd\re\0f"));
        assertEquals(PREFIX + "\tzürich €  😀\n", line("zürich €  😀"));
        assertEquals(PREFIX + "\t?\\tx\n", line("\uD800\tx"), "a lone surrogate never swallows the escape after it");
    }

    @Test
    void byteaInHexWithTheBackslashDoubled() {
        assertEquals(PREFIX + "\t\\\\x\t\\\\x00ff10\n", line(new byte[0], new byte[] {0, (byte) 0xff, 0x10}));
    }
}
