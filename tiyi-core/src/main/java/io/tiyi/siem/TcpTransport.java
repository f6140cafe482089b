package io.tiyi.siem;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Syslog over TCP with octet-counting framing (RFC 6587 section 3.4.1: {@code LEN SP MSG}), which
 * survives newlines in a message, unlike newline framing. Writes are non-blocking with a deadline,
 * so a receiver that stops reading is given up on instead of stalling the sender for ever.
 */
final class TcpTransport implements Transport {
    static final int CONNECT_TIMEOUT_MS = 2_000;
    static final int WRITE_TIMEOUT_MS = 5_000;
    /** Large enough for any message Tiyi formats; receivers commonly accept 8 KiB to 64 KiB. */
    static final int MAX_MESSAGE = 64 * 1024;

    private final String host;
    private final int port;
    private SocketChannel channel;
    private Selector selector;
    private final ByteBuffer probe = ByteBuffer.allocate(512);

    TcpTransport(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public void connect() throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            ch.socket().setTcpNoDelay(true);
            ch.socket().setKeepAlive(true);
            ch.configureBlocking(false);
            selector = Selector.open();
            ch.register(selector, SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (selector != null) {
                selector.close();
                selector = null;
            }
            if (e instanceof SocketTimeoutException) {
                throw new IOException("connect timed out after " + CONNECT_TIMEOUT_MS + " ms");
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e;
        }
        channel = ch;
    }

    @Override
    public boolean usable() {
        if (channel == null || !channel.isOpen()) {
            return false;
        }
        // A syslog receiver never writes back: readable means it closed (or reset) the connection,
        // and the next write would vanish into a dead socket.
        try {
            probe.clear();
            return channel.read(probe) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public int send(byte[] message) throws IOException {
        byte[] prefix = (message.length + " ").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer[] out = {ByteBuffer.wrap(prefix), ByteBuffer.wrap(message)};
        long deadline = System.nanoTime() + WRITE_TIMEOUT_MS * 1_000_000L;
        while (out[1].hasRemaining()) {
            channel.write(out);
            if (!out[1].hasRemaining()) {
                break;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                throw new IOException("the receiver took no data for " + WRITE_TIMEOUT_MS + " ms");
            }
            selector.select(left);
            selector.selectedKeys().clear();
        }
        return prefix.length + message.length;
    }

    @Override
    public int maxMessageBytes() {
        return MAX_MESSAGE;
    }

    @Override
    public void close() {
        try {
            if (selector != null) {
                selector.close();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // Closing a dead connection: nothing to tell.
        }
        selector = null;
        channel = null;
    }

    @Override
    public String toString() {
        return "tcp://" + host + ":" + port;
    }
}
