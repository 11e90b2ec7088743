package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The streaming batch parser accepts exactly what the tree-based checks accepted, and nothing cut short. */
class StreamingAnswersTest {
    private static final String H = "0x" + "11".repeat(32);
    private static final String LOG = "{\"address\":\"0x" + "22".repeat(20) + "\",\"topics\":[\"" + H + "\"],\"data\":\"0x01\","
            + "\"blockNumber\":\"0x5\",\"blockHash\":\"" + H + "\",\"transactionHash\":\"" + H + "\","
            + "\"transactionIndex\":\"0x0\",\"logIndex\":\"0x1\",\"removed\":false,\"extra\":{\"x\":[1,2]}}";

    private final Endpoint ep = new Endpoint(new EndpointSpec("http://127.0.0.1:1/"), new OkHttpClient(),
            new EndpointHealth(System::nanoTime, Duration.ofMillis(1), Duration.ofMillis(2)), System::nanoTime);

    @AfterEach
    void close() {
        ep.close();
    }

    private Object[] parse(String json, long... ids) throws Exception {
        Map<Long, Integer> positions = new java.util.HashMap<>();
        for (int i = 0; i < ids.length; i++) positions.put(ids[i], i);
        return StreamingAnswers.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), positions, ep,
                StreamingAnswers.Limits.NONE);
    }

    @Test
    void logsResultsAndErrorsInAnyFieldOrder() throws Exception {
        Object[] a = parse("[{\"result\":[" + LOG + "," + LOG.replace("\"0x1\"", "\"0x2\"") + "],\"id\":1,\"jsonrpc\":\"2.0\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"2\",\"result\":{\"number\":\"0x5\"},\"error\":null},"
                + "{\"id\":3,\"error\":{\"code\":-32000,\"message\":\"block range too large\",\"data\":\"max 10\"}}]", 1, 2, 3);
        var logs = assertInstanceOf(StreamingAnswers.Answer.class, a[0]).logs();
        assertEquals(2, logs.size());
        assertEquals(5, logs.get(0).blockNumber());
        assertEquals(2, logs.get(1).logIndex());
        var block = (StreamingAnswers.Answer) a[1];
        assertEquals("0x5", block.result().get("number").asText());
        assertNull(block.errorMessage(), "\"error\": null is no error");
        var err = (StreamingAnswers.Answer) a[2];
        assertEquals(-32000, err.errorCode());
        assertEquals("block range too large (data: max 10)", err.errorMessage());
    }

    @Test
    void anythingButALogInsideTheLogsArrayIsABadAnswer() {
        RpcFault f = assertThrows(RpcFault.class, () -> parse("[{\"id\":1,\"result\":[" + LOG + ",null," + LOG + "]}]", 1));
        assertTrue(f.getMessage().contains("not an object"), f.getMessage());
    }

    @Test
    void truncatedOrMalformedAnswersAreBad() {
        assertThrows(RpcFault.class, () -> parse("[{\"id\":1,\"result\":[" + LOG, 1));
        assertThrows(RpcFault.class, () -> parse("[{\"id\":1,\"result\":[" + LOG.replace("\"0x01\"", "\"0x0\"") + "]}]", 1));
        assertThrows(RpcFault.class, () -> parse("[{\"id\":1,\"result\":[" + LOG.replace("false", "true") + "]}]", 1));
        assertThrows(RpcFault.class, () -> parse("[{\"id\":1,\"result\":[" + LOG.replace("\"blockHash\":\"" + H + "\",", "") + "]}]", 1));
        assertThrows(RpcFault.class, () -> parse("[{\"id\":9,\"result\":[]}]", 1), "unknown id");
        assertThrows(RpcFault.class, () -> parse("[1]", 1));
        assertThrows(StreamingAnswers.NotABatch.class, () -> parse("{\"id\":1,\"error\":{\"code\":-32600,\"message\":\"no batches\"}}", 1));
    }

    private static String logsAnswer(int n) {
        StringBuilder sb = new StringBuilder("[{\"id\":1,\"result\":[");
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(',');
            sb.append(LOG.replace("\"logIndex\":\"0x1\"", "\"logIndex\":\"0x" + Integer.toHexString(i) + "\"")
                    .replace("\"blockNumber\":\"0x5\"", "\"blockNumber\":\"0x" + Integer.toHexString(5 + i / 10) + "\""));
        }
        return sb.append("]}]").toString();
    }

    @Test
    void anAnswerOverItsLogLimitIsAbandonedNamingTheLastBlockRead() {
        Map<Long, Integer> one = Map.of(1L, 0);
        byte[] body = logsAnswer(35).getBytes(StandardCharsets.UTF_8);
        RpcFault.Oversized o = assertThrows(RpcFault.Oversized.class, () -> StreamingAnswers.parse(
                new ByteArrayInputStream(body), one, ep, new StreamingAnswers.Limits(25, Long.MAX_VALUE)));
        assertEquals(5 + 24 / 10, o.lastBlock(), "the 25th log was in block 7: blocks 5 and 6 would have fit");
        assertEquals(RpcFault.Kind.OVERSIZED, o.kind());
        Object[] whole = assertDoesNotThrow(() -> StreamingAnswers.parse(new ByteArrayInputStream(body), one, ep,
                new StreamingAnswers.Limits(35, body.length)));
        assertEquals(35, ((StreamingAnswers.Answer) whole[0]).logs().size(), "at the limits: accepted");
        assertThrows(RpcFault.Oversized.class, () -> StreamingAnswers.parse(new ByteArrayInputStream(body), one, ep,
                new StreamingAnswers.Limits(Long.MAX_VALUE, body.length - 1)), "one byte over");
    }

    @Test
    void anAnswerCutOffMidWayIsACutOffNotABadAnswer() {
        String whole = logsAnswer(3);
        RpcFault f = assertThrows(RpcFault.class, () -> parse(whole.substring(0, whole.length() / 2), 1));
        assertEquals(RpcFault.Kind.CUT_OFF, f.kind(), f.getMessage());
    }

    @Test
    void logsOfOneBlockAndTransactionShareTheirHashesAddressAndTopic0() throws Exception {
        var logs = ((StreamingAnswers.Answer) parse(logsAnswer(20), 1)[0]).logs();
        assertSame(logs.get(0).blockHash(), logs.get(9).blockHash(), "one block hash object per block");
        assertSame(logs.get(0).txHash(), logs.get(19).txHash());
        assertSame(logs.get(0).address(), logs.get(19).address());
        assertSame(logs.get(0).topic0(), logs.get(19).topic0());
        assertEquals(logs.get(0).blockHash(), logs.get(10).blockHash());
    }
}
