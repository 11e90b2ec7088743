package dev.evmindexer.store;

import dev.evmindexer.abi.Jsonb;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.EventRow;
import dev.evmindexer.pipeline.TableRows;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/** Writes rows with {@code COPY ... FROM STDIN} in PostgreSQL's text format. */
final class CopyRows {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CopyRows() {}

    static long copy(Connection c, long chainId, TableRows rows) throws SQLException {
        if (rows.rows().isEmpty()) return 0;
        var t = rows.table();
        StringBuilder cols = new StringBuilder("chain_id, block_number, block_hash, block_time, tx_hash, tx_index, log_index, address");
        for (var col : t.columns()) cols.append(", ").append(Sql.quoted(col.name()));
        String sql = "COPY " + Sql.qualified(t.schema(), t.name()) + " (" + cols + ") FROM STDIN";
        CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
        StringBuilder sb = new StringBuilder(256);
        CopyIn in = cm.copyIn(sql);
        try {
            for (EventRow r : rows.rows()) {
                sb.setLength(0);
                line(sb, chainId, r);
                byte[] bytes = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                in.writeToCopy(bytes, 0, bytes.length);
            }
            return in.endCopy();
        } finally {
            if (in.isActive()) in.cancelCopy();
        }
    }

    static void line(StringBuilder sb, long chainId, EventRow r) {
        Log l = r.log();
        sb.append(chainId).append('\t').append(l.blockNumber()).append('\t');
        bytea(sb, l.blockHash().unsafeBytes());
        sb.append('\t').append(Instant.ofEpochSecond(r.blockTime())).append('\t');
        bytea(sb, l.txHash().unsafeBytes());
        sb.append('\t').append(l.txIndex()).append('\t').append(l.logIndex()).append('\t');
        bytea(sb, l.address().unsafeBytes());
        for (Object v : r.values()) {
            sb.append('\t');
            value(sb, v);
        }
        sb.append('\n');
    }

    private static void value(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("\\N");
            case byte[] b -> bytea(sb, b);
            case Boolean b -> sb.append(b ? 't' : 'f');
            case Long n -> sb.append(n.longValue());
            case Integer n -> sb.append(n.intValue());
            case BigInteger n -> sb.append(n);
            case String s -> text(sb, s);
            case Jsonb j -> text(sb, j.text());
            case Object[] a -> {
                StringBuilder literal = new StringBuilder(16 + a.length * 8);
                array(literal, a);
                text(sb, literal.toString());
            }
            default -> throw new IllegalArgumentException("cannot COPY a value of " + v.getClass().getName());
        }
    }

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
                    for (byte x : b) sb.append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
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
    private static void bytea(StringBuilder sb, byte[] b) {
        sb.append("\\\\x");
        for (byte x : b) sb.append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
    }

    private static void text(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\0' -> sb.append('\uFFFD');
                default -> sb.append(ch);
            }
        }
    }

}
