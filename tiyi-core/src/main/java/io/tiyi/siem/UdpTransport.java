package io.tiyi.siem;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Syslog over UDP (RFC 5426): one message per datagram. Longer messages are cut to
 * {@link #MAX_MESSAGE} bytes, the size RFC 5426 section 3.2 says every receiver should accept;
 * splitting one message over two datagrams would give the receiver two broken events.
 */
final class UdpTransport implements Transport {
    static final int MAX_MESSAGE = 2048;

    private final String host;
    private final int port;
    private DatagramChannel channel;

    UdpTransport(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public void connect() throws IOException {
        InetSocketAddress to = new InetSocketAddress(host, port);
        if (to.isUnresolved()) {
            throw new IOException("cannot resolve " + host);
        }
        // Connected, so the kernel reports an ICMP port-unreachable as an error on a later send.
        DatagramChannel ch = DatagramChannel.open();
        try {
            channel = ch.connect(to);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public boolean usable() {
        return channel != null && channel.isOpen();
    }

    @Override
    public int send(byte[] message) throws IOException {
        return channel.write(ByteBuffer.wrap(message));
    }

    @Override
    public int maxMessageBytes() {
        return MAX_MESSAGE;
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // Nothing was in flight.
        }
        channel = null;
    }

    @Override
    public String toString() {
        return "udp://" + host + ":" + port;
    }
}
