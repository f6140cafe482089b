package io.tiyi.siem;

import java.io.IOException;

/**
 * One connection to a SIEM destination, used by a single sender thread. A send that fails
 * leaves the transport unusable; the dispatcher closes it and connects a new one.
 */
interface Transport extends AutoCloseable {
    /** Opens the connection; throws naming the destination when it cannot. */
    void connect() throws IOException;

    /** Writes one syslog message with this transport's framing; returns the bytes written. */
    int send(byte[] message) throws IOException;

    /** False once the receiver is known to have gone (TCP peer closed); checked before each send. */
    boolean usable();

    /** Messages longer than this are cut to it before sending. */
    int maxMessageBytes();

    @Override
    void close();

    static Transport of(SiemAddress a) {
        return switch (a.transport()) {
            case "tcp" -> new TcpTransport(a.host(), a.port());
            case "udp" -> new UdpTransport(a.host(), a.port());
            case "unixgram" -> new UnixgramTransport(java.nio.file.Path.of(a.path()));
            default -> throw new IllegalArgumentException("unknown SIEM transport " + a.transport());
        };
    }
}
