package dev.evmindexer.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy that can imitate a network partition: after {@link #cut()} it keeps every connection open but passes
 * no byte either way (as a dead link does: no reset, no FIN, the peers just hear nothing), until {@link #restore()}.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    private TcpProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    public static TcpProxy start(String host, int port) throws IOException {
        TcpProxy p = new TcpProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), new InetSocketAddress(host, port));
        Thread.ofVirtual().name("tcp-proxy").start(p::accept);
        return p;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on nothing passes, in either direction, on old or new connections. */
    public void cut() {
        cut = true;
    }

    public void restore() {
        cut = false;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofVirtual().start(() -> pump(client, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            } catch (IOException e) {
                if (server.isClosed()) return;
            }
        }
    }

    /** Copies bytes from {@code in} to {@code out}; while cut, holds them back until restored. */
    private void pump(Socket in, Socket out) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream is = in.getInputStream(); OutputStream os = out.getOutputStream()) {
            int n;
            while ((n = is.read(buf)) >= 0) {
                while (cut) Thread.sleep(50);
                os.write(buf, 0, n);
                os.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side went away: so does the other
        } finally {
            closeQuietly(in);
            closeQuietly(out);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(TcpProxy::closeQuietly);
    }
}
