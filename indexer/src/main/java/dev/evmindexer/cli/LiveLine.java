package dev.evmindexer.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * A status line redrawn in place in a terminal ({@code \r}) that log lines do not glue onto: while it is drawn,
 * the first thing written to the wrapped log stream (stderr, where the log goes) first clears it, so the log line
 * takes its place and the next {@link #draw} comes on the line below.
 */
final class LiveLine {
    static final String CLEAR = "\r\u001b[K";

    private final PrintWriter out;
    private volatile boolean drawn;

    LiveLine(PrintWriter out) {
        this.out = out;
    }

    /** Redraws the line in place. */
    synchronized void draw(String line) {
        out.print(CLEAR + line);
        out.flush();
        drawn = true;
    }

    /** Ends the line (a newline) so what follows starts on a line of its own. */
    synchronized void end() {
        if (drawn) out.println();
        out.flush();
        drawn = false;
    }

    /** {@code log} with the line cleared before anything is written to it while the line is drawn. */
    PrintStream wrap(PrintStream log) {
        return new PrintStream(new FilterOutputStream(log) {
            @Override
            public void write(int b) throws IOException {
                clearFirst();
                super.out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                clearFirst();
                super.out.write(b, off, len);
            }

            private void clearFirst() throws IOException {
                if (!drawn) return;
                synchronized (LiveLine.this) {
                    if (!drawn) return;
                    drawn = false;
                    super.out.write(CLEAR.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
            }
        }, true);
    }
}
