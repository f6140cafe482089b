package io.tiyi.sites;

import io.tiyi.TiyiException;
import io.tiyi.internal.Text;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Validation of site fields, with messages that name the field and the value. */
final class SiteRules {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** Load-balancing policies. */
    public static final List<String> LB = List.of("round_robin", "least_conn");

    private SiteRules() {}

    /** Refuses control and bidirectional characters in the site's name and every text field of {@code spec}. */
    static void plain(String name, Sites.Spec spec) {
        Text.requirePlain("name", name);
        Text.requirePlain("hosts", spec.hosts());
        Text.requirePlain("upstreams", spec.upstreams());
        Text.requirePlain("lb", spec.lb());
        Text.requirePlain("health_path", spec.healthPath());
        Text.requirePlain("certificate", spec.certificate());
    }

    public static String name(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw TiyiException.invalid("site name must be 1-64 characters of a-z, 0-9, '.', '_' or '-'; got '" + name + "'");
        }
        return name;
    }

    /**
     * Lower-cases and checks host names; {@code *.example.com} matches any name ending in
     * {@code .example.com}, and {@code *} alone makes the site the default for hosts no other site
     * answers (and for requests without a Host).
     */
    public static List<String> hosts(List<String> hosts) {
        if (hosts == null || hosts.isEmpty()) {
            throw TiyiException.invalid("a site needs at least one --host");
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String h : hosts) {
            String v = h == null ? "" : h.trim().toLowerCase(Locale.ROOT);
            if (v.equals("*")) {
                out.add(v);
                continue;
            }
            String check = v.startsWith("*.") ? v.substring(2) : v;
            boolean ok = !check.isEmpty() && check.length() <= 253;
            for (String label : check.split("\\.", -1)) {
                ok &= LABEL.matcher(label).matches();
            }
            if (!ok) {
                throw TiyiException.invalid("host '" + h + "' is not a host name or *.wildcard (for example shop.example.com or *.example.com)");
            }
            out.add(v);
        }
        return new ArrayList<>(out);
    }

    /** Checks upstream base URLs: {@code http(s)://host:port}, no path, query or credentials. */
    public static List<String> upstreams(List<String> upstreams) {
        if (upstreams == null || upstreams.isEmpty()) {
            throw TiyiException.invalid("a pool needs at least one --upstream URL");
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String u : upstreams) {
            out.add(upstream(u));
        }
        return new ArrayList<>(out);
    }

    static String upstream(String u) {
        URI uri;
        try {
            uri = new URI(u == null ? "" : u.trim());
        } catch (URISyntaxException e) {
            throw badUpstream(u);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getUserInfo() != null
                || uri.getQuery() != null || uri.getFragment() != null || (uri.getPath() != null && !uri.getPath().isEmpty()
                && !uri.getPath().equals("/"))) {
            throw badUpstream(u);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String host = uri.getHost().indexOf(':') >= 0 && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    private static TiyiException badUpstream(String u) {
        return TiyiException.invalid("upstream '" + u + "' must be http://host:port or https://host:port, without a path");
    }

    public static String lb(String lb) {
        String v = lb == null ? "round_robin" : lb.trim().toLowerCase(Locale.ROOT);
        if (!LB.contains(v)) {
            throw TiyiException.invalid("--lb must be round_robin or least_conn; got '" + lb + "'");
        }
        return v;
    }

    public static String path(String p, String field) {
        if (p == null) {
            return null;
        }
        if (!p.startsWith("/") || p.contains(" ") || p.contains("?") || p.contains("#") || p.length() > 1024) {
            throw TiyiException.invalid(field + " must be a path starting with '/', got '" + p + "'");
        }
        return p;
    }

    /** True when {@code host} is answered by a site entry ({@code exact} or {@code *.suffix}). */
    public static boolean matches(String entry, String host) {
        if (entry.startsWith("*.")) {
            return host.endsWith(entry.substring(1)) && host.length() > entry.length() - 1;
        }
        return entry.equals(host);
    }
}
