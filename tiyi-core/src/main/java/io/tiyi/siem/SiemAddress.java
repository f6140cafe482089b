package io.tiyi.siem;

import io.tiyi.TiyiException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * A SIEM destination: {@code tcp://host:port}, {@code udp://host:port} or
 * {@code unixgram:///absolute/path}.
 *
 * @param transport tcp, udp or unixgram
 * @param host host for tcp/udp
 * @param port port for tcp/udp
 * @param path socket path for unixgram
 */
public record SiemAddress(String transport, String host, int port, String path) {
    public static final String SHAPES = "tcp://host:port, udp://host:port, unixgram:///path";

    /** Parses an address; {@code key} names the setting in the error. */
    public static SiemAddress parse(String value, String key) {
        URI u;
        try {
            u = new URI(value);
        } catch (URISyntaxException e) {
            throw invalid(value, key);
        }
        String scheme = u.getScheme();
        if ("tcp".equals(scheme) || "udp".equals(scheme)) {
            if (u.getHost() == null || u.getPort() < 1 || u.getPort() > 65535 || (u.getPath() != null && !u.getPath().isEmpty())) {
                throw invalid(value, key);
            }
            return new SiemAddress(scheme, u.getHost(), u.getPort(), null);
        }
        if ("unixgram".equals(scheme)) {
            if (u.getHost() != null || u.getPath() == null || !u.getPath().startsWith("/") || u.getPath().length() < 2) {
                throw invalid(value, key);
            }
            return new SiemAddress(scheme, null, 0, u.getPath());
        }
        throw invalid(value, key);
    }

    private static TiyiException invalid(String value, String key) {
        return TiyiException.invalid("invalid value '" + value + "' for setting " + key + ": allowed: " + SHAPES);
    }
}
