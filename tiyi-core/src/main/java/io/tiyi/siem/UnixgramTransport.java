package io.tiyi.siem;

import java.io.IOException;
import java.net.DatagramPacket;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Syslog over an AF_UNIX datagram socket ({@code unixgram:///path}), the way a local rsyslog or
 * syslog-ng listens. The JDK has unix stream sockets only; junixsocket provides datagrams.
 */
final class UnixgramTransport implements Transport {
    /** Local datagrams can be large; rsyslog's own default limit is 8 KiB, so stay at it. */
    static final int MAX_MESSAGE = 8 * 1024;

    private final Path path;
    private AFUNIXDatagramSocket socket;

    UnixgramTransport(Path path) {
        this.path = path;
    }

    @Override
    public void connect() throws IOException {
        AFUNIXDatagramSocket s = AFUNIXDatagramSocket.newInstance();
        try {
            s.connect(AFUNIXSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        socket = s;
    }

    @Override
    public boolean usable() {
        return socket != null && !socket.isClosed();
    }

    @Override
    public int send(byte[] message) throws IOException {
        socket.send(new DatagramPacket(message, message.length));
        return message.length;
    }

    @Override
    public int maxMessageBytes() {
        return MAX_MESSAGE;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
        socket = null;
    }

    @Override
    public String toString() {
        return "unixgram://" + path;
    }
}
