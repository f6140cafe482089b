package io.tiyi.config;

import java.net.InetSocketAddress;

/**
 * A listen address as {@code host:port} ({@code [v6]:port} for IPv6 literals).
 *
 * @param host a host name or IP literal, without brackets
 * @param port 0 (pick a free port) to 65535
 */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0-65535");
        }
    }

    /**
     * Parses {@code host:port}; {@code source} names the key or flag for the error message.
     *
     * @throws ConfigException naming {@code source} and the value when it does not parse
     */
    public static HostPort parse(String value, String source) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(source + ": expected host:port, got an empty value");
        }
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new ConfigException(source + ": expected host:port (for example 127.0.0.1:8080), got '" + value + "'");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new ConfigException(source + ": IPv6 addresses need brackets, as in [::1]:8080, got '" + value + "'");
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(source + ": port must be a number, got '" + v.substring(colon + 1) + "' in '" + value + "'");
        }
        try {
            return new HostPort(host, port);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage() + " in '" + value + "'");
        }
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    /** The form a URL needs, with brackets around IPv6 literals. */
    public String urlAuthority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return urlAuthority();
    }
}
