package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.abi.Jsonb;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.EventRow;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.TableRows;
import dev.evmindexer.testsupport.TestPostgres;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Arrays and jsonb through COPY's text format into a real PostgreSQL, read back exactly. */
class CopyArraysIT {
    private static final String TRICKY = "a \"quoted\", {braced} \\back\\slash\ttab\nline NULL é€𝄞";

    @Test
    void everyArrayTypeAndJsonbRoundTrip() throws Exception {
        EventDecoder decoder = new EventDecoder(EventSignature.parse("event A(bytes[] bs, uint256[] big, int64[2][] grid,"
                + " bool[3] flags, string[] texts, address[] none, (uint8 a, string s)[] legs, uint32[] small)"));
        EventTable t = new EventTable("public", "copy_arrays", 1, "s", 0, new LogFilter(List.of(), List.of()),
                decoder.signature(), decoder, "h");
        BigInteger max = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
        String json = "[{\"a\":1,\"s\":\"" + TRICKY.replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t").replace("\n", "\\n") + "\"}]";
        Object[] values = {
                new Object[] {new byte[0], new byte[] {0, (byte) 0xFF, '\\', '"', ','}},
                new Object[] {BigInteger.ZERO, max},
                new Object[] {new Object[] {Long.MIN_VALUE, -1L}, new Object[] {0L, Long.MAX_VALUE}},
                new Object[] {true, false, true},
                new Object[] {TRICKY, "", "NULL", "}"},
                new Object[] {},
                new Jsonb(json),
                new Object[] {7L}};
        Log log = new Log(Address.fromHex("0x00000000000000000000000000000000000000aa"), List.of(decoder.signature().topic0()),
                new byte[0], 5, Hash.ZERO, Hash.ZERO, 0, 0);
        String url = TestPostgres.newDatabase();
        try (Connection c = TestPostgres.connect(url)) {
            try (Statement s = c.createStatement()) {
                s.execute(TableDdl.createTable(t));
            }
            assertEquals(1, CopyRows.copy(c, 1, new TableRows(t, List.of(new EventRow(log, 1_700_000_000L, values)))));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT bs, big, grid, flags, texts, none, legs::text, small, array_ndims(grid), legs->0->>'s' FROM copy_arrays")) {
                rs.next();
                byte[][] bs = (byte[][]) rs.getArray(1).getArray();
                assertEquals(2, bs.length);
                assertArrayEquals(new byte[0], bs[0]);
                assertArrayEquals(new byte[] {0, (byte) 0xFF, '\\', '"', ','}, bs[1]);
                assertArrayEquals(new BigDecimal[] {BigDecimal.ZERO, new BigDecimal(max)}, (BigDecimal[]) rs.getArray(2).getArray());
                assertArrayEquals(new Long[][] {{Long.MIN_VALUE, -1L}, {0L, Long.MAX_VALUE}}, (Long[][]) rs.getArray(3).getArray());
                assertArrayEquals(new Boolean[] {true, false, true}, (Boolean[]) rs.getArray(4).getArray());
                assertArrayEquals(new String[] {TRICKY, "", "NULL", "}"}, (String[]) rs.getArray(5).getArray());
                assertEquals(0, ((byte[][]) rs.getArray(6).getArray()).length);
                ObjectMapper m = new ObjectMapper();
                assertEquals(m.readTree(json), m.readTree(rs.getString(7)));
                assertArrayEquals(new Long[] {7L}, (Long[]) rs.getArray(8).getArray());
                assertEquals(2, rs.getInt(9), "a two-dimensional array, not text");
                assertEquals(TRICKY, rs.getString(10));
            }
        }
    }
}
