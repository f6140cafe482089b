package io.tiyi.api;

import io.tiyi.config.TiyiConfig;
import io.tiyi.internal.Cidr;
import java.net.InetAddress;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code Host} values the admin listener answers, against DNS rebinding: a web page on a
 * name its author controls can point that name at this node's address, and the victim's browser
 * then treats the API as the page's own origin. The browser still sends the page's name in
 * {@code Host}, so a listener that refuses names it does not know cannot be reached that way.
 *
 * <p>Always accepted: IP addresses (a page cannot be served from this node's own address and
 * port unless it is this node), {@code localhost} and names under {@code .localhost} (browsers
 * resolve them to loopback themselves), the host of {@code server.addr} and of
 * {@code server.advertise_url}. On top of those: {@code api.allowed_hosts} when set, else the
 * host's own name and fully qualified name. A {@code *} entry accepts any {@code Host}.
 */
public final class AllowedHosts {

    private final Set<String> names;
    private final boolean any;

    private AllowedHosts(Set<String> names) {
        this.any = names.contains("*");
        this.names = Collections.unmodifiableSet(names);
    }

    /** Every {@code Host}: for listeners that serve nothing a browser page may read. */
    public static AllowedHosts any() {
        return new AllowedHosts(Set.of("*"));
    }

    /** The names {@code config} allows, with the host's own names when it sets none. */
    public static AllowedHosts of(TiyiConfig config) {
        Set<String> names = new LinkedHashSet<>();
        names.add("localhost");
        names.add(normalize(config.server().addr().host()));
        config.server().advertiseUrl().map(u -> URI.create(u).getHost()).map(AllowedHosts::normalize).ifPresent(names::add);
        names.addAll(config.api().allowedHosts().orElseGet(OwnNames::get));
        names.remove("");
        return new AllowedHosts(names);
    }

    /** The names beyond IP addresses, {@code localhost} and {@code *.localhost}, for messages and tests. */
    public Set<String> names() {
        return names;
    }

    /** Whether a request with this {@code Host} header (port and IPv6 brackets included) may go on. */
    public boolean allows(String hostHeader) {
        if (any) {
            return true;
        }
        String h = hostOf(hostHeader);
        return names.contains(h) || h.endsWith(".localhost") || ipLiteral(h);
    }

    /** The host of a {@code Host} header: lower case, without port, IPv6 brackets or a trailing dot. */
    static String hostOf(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && colon == h.lastIndexOf(':')) {
            h = h.substring(0, colon);
        }
        return normalize(h);
    }

    /** An IPv4 or IPv6 address (an IPv6 zone such as {@code %eth0} allowed), never a name to look up. */
    private static boolean ipLiteral(String h) {
        int zone = h.indexOf('%');
        return Cidr.literal(zone >= 0 && h.indexOf(':') >= 0 ? h.substring(0, zone) : h) != null;
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    @Override
    public String toString() {
        return any ? "any Host" : "IP addresses, localhost, " + String.join(", ", names);
    }

    /** The host's own names, looked up once: the lookup can take seconds on a host without DNS for itself. */
    private static final class OwnNames {
        private static final List<String> NAMES = lookUp();

        static List<String> get() {
            return NAMES;
        }

        private static List<String> lookUp() {
            Set<String> out = new LinkedHashSet<>();
            Optional.ofNullable(System.getenv("HOSTNAME")).ifPresent(out::add);
            try {
                InetAddress self = InetAddress.getLocalHost();
                out.add(self.getHostName());
                out.add(self.getCanonicalHostName());
            } catch (java.io.IOException e) {
                // No name for this host: only addresses, localhost and the configured names reach it.
            }
            return out.stream().map(AllowedHosts::normalize).filter(n -> !n.isEmpty() && !ipLiteral(n)).toList();
        }
    }
}
