package dev.evmindexer.store;

import dev.evmindexer.abi.Jsonb;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.EventRow;
import dev.evmindexer.pipeline.TableRows;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes rows with {@code COPY ... FROM STDIN} in PostgreSQL's text format, encoding straight into a
 * reused byte buffer that is flushed in large chunks (no per-row strings on this hot path).
 */
final class CopyRows {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int FLUSH_AT = 1 << 16;

    private byte[] buf = new byte[FLUSH_AT + 4096];
    private int len;

    private CopyRows() {}

    static long copy(Connection c, long chainId, TableRows rows) throws SQLException {
        if (rows.rows().isEmpty()) return 0;
        var t = rows.table();
        StringBuilder cols = new StringBuilder("chain_id, block_number, block_hash, block_time, tx_hash, tx_index, log_index, address");
        for (var col : t.columns()) cols.append(", ").append(Sql.quoted(col.name()));
        String sql = "COPY " + Sql.qualified(t.schema(), t.name()) + " (" + cols + ") FROM STDIN";
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            CopyRows w = new CopyRows();
            byte[] chain = Long.toString(chainId).getBytes(StandardCharsets.US_ASCII);
            long lastTime = Long.MIN_VALUE;
            byte[] time = null;
            for (EventRow r : rows.rows()) {
                if (r.blockTime() != lastTime) { // rows come in block order: one timestamp text per block
                    lastTime = r.blockTime();
                    time = Instant.ofEpochSecond(lastTime).toString().getBytes(StandardCharsets.US_ASCII);
                }
                w.line(chain, time, r);
                if (w.len >= FLUSH_AT) {
                    in.writeToCopy(w.buf, 0, w.len);
                    w.len = 0;
                }
            }
            if (w.len > 0) in.writeToCopy(w.buf, 0, w.len);
            return in.endCopy();
        } finally {
            if (in.isActive()) in.cancelCopy();
        }
    }

    /** One row as text, for tests and messages. */
    static String line(long chainId, EventRow r) {
        CopyRows w = new CopyRows();
        w.line(Long.toString(chainId).getBytes(StandardCharsets.US_ASCII),
                Instant.ofEpochSecond(r.blockTime()).toString().getBytes(StandardCharsets.US_ASCII), r);
        return new String(w.buf, 0, w.len, StandardCharsets.UTF_8);
    }

    private void line(byte[] chain, byte[] time, EventRow r) {
        Log l = r.log();
        raw(chain);
        tab();
        number(l.blockNumber());
        tab();
        bytea(l.blockHash().unsafeBytes());
        tab();
        raw(time);
        tab();
        bytea(l.txHash().unsafeBytes());
        tab();
        number(l.txIndex());
        tab();
        number(l.logIndex());
        tab();
        bytea(l.address().unsafeBytes());
        for (Object v : r.values()) {
            tab();
            value(v);
        }
        ensure(1);
        buf[len++] = '\n';
    }

    private void value(Object v) {
        switch (v) {
            case null -> raw(NULL);
            case byte[] b -> bytea(b);
            case Boolean b -> raw(b ? TRUE : FALSE);
            case Long n -> number(n);
            case Integer n -> number(n);
            case BigInteger n -> {
                if (n.bitLength() < 64) number(n.longValue());
                else rawAscii(n.toString());
            }
            case String s -> text(s);
            case Jsonb j -> text(j.text());
            case Object[] a -> {
                StringBuilder literal = new StringBuilder(16 + a.length * 8);
                array(literal, a);
                text(literal.toString());
            }
            default -> throw new IllegalArgumentException("cannot COPY a value of " + v.getClass().getName());
        }
    }

    private static final byte[] NULL = {'\\', 'N'};
    private static final byte[] TRUE = {'t'};
    private static final byte[] FALSE = {'f'};

    private static final char[] HEX_CHARS = "0123456789abcdef".toCharArray();

    /**
     * A PostgreSQL array literal ({@code bytea[]}, {@code numeric[]}, {@code int8[]}, {@code boolean[]},
     * {@code text[]}, nested braces per dimension), before COPY's own escaping. Strings and byte strings
     * are always double-quoted (so {@code NULL} or a comma stays text), with {@code \} and {@code "}
     * backslash-escaped inside the quotes.
     */
    static void array(StringBuilder sb, Object[] a) {
        sb.append('{');
        for (int i = 0; i < a.length; i++) {
            if (i > 0) sb.append(',');
            switch (a[i]) {
                case Object[] inner -> array(sb, inner);
                case byte[] b -> {
                    sb.append("\"\\\\x");
                    for (byte x : b) sb.append(HEX_CHARS[(x >> 4) & 0xF]).append(HEX_CHARS[x & 0xF]);
                    sb.append('"');
                }
                case String str -> {
                    sb.append('"');
                    for (int k = 0; k < str.length(); k++) {
                        char ch = str.charAt(k);
                        if (ch == '"' || ch == '\\') sb.append('\\');
                        sb.append(ch);
                    }
                    sb.append('"');
                }
                case Boolean b -> sb.append(b ? 't' : 'f');
                case Long n -> sb.append(n.longValue());
                case BigInteger n -> sb.append(n);
                case null -> sb.append("NULL");
                default -> throw new IllegalArgumentException("cannot COPY an array element of " + a[i].getClass().getName());
            }
        }
        sb.append('}');
    }

    /** bytea in hex form; the backslash is doubled because COPY text format unescapes it once. */
    private void bytea(byte[] b) {
        ensure(3 + 2 * b.length);
        buf[len++] = '\\';
        buf[len++] = '\\';
        buf[len++] = 'x';
        for (byte x : b) {
            buf[len++] = HEX[(x >> 4) & 0xF];
            buf[len++] = HEX[x & 0xF];
        }
    }

    private void text(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> rawAscii("\\\\");
                case '\t' -> rawAscii("\\t");
                case '\n' -> rawAscii("\\n");
                case '\r' -> rawAscii("\\r");
                case '\0' -> raw("\uFFFD".getBytes(StandardCharsets.UTF_8));
                default -> {
                    if (ch < 0x80) {
                        ensure(1);
                        buf[len++] = (byte) ch;
                    } else if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        raw(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                        i++;
                    } else {
                        raw(String.valueOf(ch).getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    private void number(long n) {
        ensure(20);
        if (n == Long.MIN_VALUE) {
            rawAscii(Long.toString(n));
            return;
        }
        if (n < 0) {
            buf[len++] = '-';
            n = -n;
        }
        int start = len;
        do {
            buf[len++] = (byte) ('0' + n % 10);
            n /= 10;
        } while (n != 0);
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    private void rawAscii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) buf[len++] = (byte) s.charAt(i);
    }

    private void raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void tab() {
        ensure(1);
        buf[len++] = '\t';
    }

    private void ensure(int more) {
        if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
}
