package dev.evmindexer.rpc;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * An answer's body as it streams in, keeping its first {@link #KEPT} bytes: when the answer turns out not to be
 * JSON-RPC (an HTML error page from a proxy, a login form, plain text), the message that names the endpoint shows
 * what it sent instead ({@link #shown}). Nothing more is kept, so a huge answer costs nothing extra.
 */
final class AnswerPrefix extends FilterInputStream {
    static final int KEPT = 80;
    private final byte[] first = new byte[KEPT];
    private int kept;

    AnswerPrefix(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0 && kept < KEPT) first[kept++] = (byte) b;
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0 && kept < KEPT) {
            int copy = Math.min(n, KEPT - kept);
            System.arraycopy(buf, off, first, kept, copy);
            kept += copy;
        }
        return n;
    }

    /** Whether the bytes read so far begin (after white space) as JSON-RPC does: an object or an array. */
    boolean looksLikeJson() {
        for (int i = 0; i < kept; i++) {
            byte b = first[i];
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
            return b == '{' || b == '[';
        }
        return false;
    }

    /** The first bytes read, as quoted text with control characters and non-ASCII shown as {@code ?}. */
    String shown() {
        if (kept == 0) return "an empty body";
        String s = new String(first, 0, kept, StandardCharsets.ISO_8859_1);
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) out.append(c >= 0x20 && c < 0x7f ? c : c == '\n' || c == '\r' || c == '\t' ? ' ' : '?');
        return out.append('"').append(kept == KEPT ? "..." : "").toString();
    }
}
