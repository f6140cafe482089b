package io.tiyi.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The first handler a request meets after its id and access log: it answers the refusals the
 * {@link EdgeConduit} made of HTTP/1.x heads, holds HTTP/2 requests (which that conduit never
 * sees) to the same rules, and caps the connections one client may hold open. Every refusal is
 * Tiyi's error page with the request id, and the access event records the request as it was
 * sent, with its control bytes shown as {@code \xNN}.
 */
final class RequestGuard implements HttpHandler {
    private static final AttachmentKey<String> COUNTED = AttachmentKey.create(String.class);
    /** Fields RFC 9113 section 8.2.2 calls connection-specific: malformed in HTTP/2. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");

    private final HttpHandler next;
    private final EdgeMarker marker;
    private final Supplier<RuntimeConfig.Limits> limits;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    RequestGuard(HttpHandler next, EdgeMarker marker, Supplier<RuntimeConfig.Limits> limits) {
        this.next = next;
        this.marker = marker;
        this.limits = limits;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        boolean http1 = !ex.getProtocol().equals(Protocols.HTTP_2_0);
        java.util.Collection<String> m = ex.getRequestHeaders().remove(EdgeMarker.HEADER);
        if (m != null && !m.isEmpty() && http1) {
            EdgeMarker.Mark mark = marker.read(m.iterator().next());
            if (mark != null && mark.refusal()) {
                refused(ex, mark);
                next.handleRequest(ex);
                return;
            }
            if (mark != null) {
                restore(ex, mark.target());
            }
        }
        RuntimeConfig.Limits l = limits.get();
        if (!http1) {
            String problem = http2Problem(ex, l);
            if (problem != null) {
                // Like a refused HTTP/1.x head: inspected and logged by the site's WAF, then answered with the refusal.
                int status = problem.startsWith("431 ") ? 431 : problem.startsWith("414 ") ? 414 : 400;
                ex.putAttachment(Exchanges.REFUSAL, new Exchanges.Refusal(status, problem.substring(4)));
                next.handleRequest(ex);
                return;
            }
        } else {
            if (!counted(ex, l)) {
                return;
            }
            EdgeConduit conduit = marker.conduitOf(ex);
            if (conduit != null) {
                conduit.serving(ex);
            }
        }
        if (http1 && ex.getRequestHeaders().contains(Headers.UPGRADE)) {
            // The conduit passes bytes through unread after an upgrade request; if the upgrade
            // does not happen, the connection must not carry another request.
            ex.addResponseCommitListener(e -> {
                if (e.getStatusCode() != 101) {
                    e.setPersistent(false);
                }
            });
        }
        next.handleRequest(ex);
    }

    /**
     * Turns the stand-in request back into the refused one (method, target, version and header
     * fields as sent, control bytes and all), so that the site's WAF inspects and logs it; the
     * routing then answers it with the refusal instead of proxying it.
     */
    private static void refused(HttpServerExchange ex, EdgeMarker.Mark mark) {
        ex.putAttachment(Exchanges.REFUSAL, new Exchanges.Refusal(mark.status(), mark.reason()));
        ex.setPersistent(false);
        String method = mark.method();
        String target = mark.target();
        String version = null;
        ex.getRequestHeaders().remove(io.undertow.util.Headers.HOST);
        String[] lines = mark.head().split("\n", -1);
        int i = 0;
        while (i < lines.length && strip(lines[i]).isEmpty()) {
            i++;
        }
        if (i < lines.length) {
            String[] rl = strip(lines[i]).split(" ", 3);
            if (rl.length >= 2) {
                method = rl[0];
                target = rl.length == 3 ? rl[1] : strip(lines[i]).substring(rl[0].length() + 1);
                version = rl.length == 3 ? rl[2] : null;
            }
            io.undertow.util.HeaderMap headers = ex.getRequestHeaders();
            headers.clear();
            HttpString last = null;
            for (int k = i + 1; k < lines.length; k++) {
                String l = strip(lines[k]);
                if (l.isEmpty()) {
                    break;
                }
                if ((l.charAt(0) == ' ' || l.charAt(0) == '\t') && last != null) {
                    // Obsolete folding, unfolded as the RFC says a recipient may, for inspection only.
                    String prev = headers.getLast(last);
                    headers.remove(last);
                    headers.add(last, (prev == null ? "" : prev) + " " + l.strip());
                    continue;
                }
                int colon = l.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                last = HttpString.tryFromString(l.substring(0, colon));
                headers.add(last, l.substring(colon + 1).strip());
            }
        }
        ex.setRequestMethod(HttpString.tryFromString(method.isEmpty() ? "-" : method));
        if (target.isEmpty()) {
            target = "-";
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        ex.setRequestURI(path);
        ex.setRequestPath(path);
        ex.setRelativePath(path);
        ex.setQueryString(q < 0 ? "" : target.substring(q + 1));
        if (version != null && version.matches("HTTP/[0-9]\\.[0-9]")) {
            ex.setProtocol(HttpString.tryFromString(version));
        }
    }

    /** A line without the CR of its CRLF. */
    private static String strip(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** Puts back a target whose {@code ;} was escaped for Undertow, with the path Undertow would have made of it. */
    private static void restore(HttpServerExchange ex, String target) {
        int q = target.indexOf('?');
        String uri = q < 0 ? target : target.substring(0, q);
        StringBuilder path = new StringBuilder(uri.length());
        int i = 0;
        while (i < uri.length()) {
            char c = uri.charAt(i);
            if (c == ';') {
                int slash = uri.indexOf('/', i);
                i = slash < 0 ? uri.length() : slash;
                continue;
            }
            path.append(c);
            i++;
        }
        ex.setRequestURI(uri);
        ex.setRequestPath(path.toString());
        ex.setRelativePath(path.toString());
    }

    /** What is wrong with an HTTP/2 request, as {@code "<status> <reason>"}, or null. */
    static String http2Problem(HttpServerExchange ex, RuntimeConfig.Limits l) {
        String method = ex.getRequestMethod().toString();
        for (int i = 0; i < method.length(); i++) {
            if (!RequestHead.tchar(method.charAt(i)) || method.charAt(i) > 0x7f) {
                return "400 a method with byte " + RequestHead.hex((byte) method.charAt(i));
            }
        }
        String uri = ex.getRequestURI();
        String q = ex.getQueryString();
        int targetLength = uri.length() + (q == null || q.isEmpty() ? 0 : q.length() + 1);
        if (targetLength > l.maxRequestLine()) {
            return "414 the request target is longer than proxy.limits.max_request_line (" + l.maxRequestLine() + " bytes)";
        }
        String bad = controlIn(uri);
        if (bad == null && q != null) {
            bad = controlIn(q);
        }
        if (bad != null || uri.indexOf(' ') >= 0 || (q != null && q.indexOf(' ') >= 0)) {
            return "400 the request target holds " + (bad != null ? "control byte " + bad : "a space");
        }
        int count = 0;
        long total = 0;
        for (HeaderValues hv : ex.getRequestHeaders()) {
            String name = hv.getHeaderName().toString();
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c > 0x7f || !RequestHead.tchar(c)) {
                    return "400 a header name with byte " + RequestHead.hex((byte) c);
                }
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(lower)) {
                return "400 connection-specific header " + lower + " in an HTTP/2 request";
            }
            for (String v : hv) {
                count++;
                int size = name.length() + 2 + v.length();
                total += size;
                if (size > l.maxHeaderSize()) {
                    return "431 a header field is longer than proxy.limits.max_header_size (" + l.maxHeaderSize() + " bytes)";
                }
                if (lower.equals("te") && !v.trim().equalsIgnoreCase("trailers")) {
                    return "400 TE other than 'trailers' in an HTTP/2 request";
                }
                String c = controlIn(v);
                if (c != null && !c.equals("0x09")) {
                    return "400 header " + lower + " holds control byte " + c;
                }
            }
        }
        if (count > l.maxHeaderCount()) {
            return "431 more than proxy.limits.max_header_count (" + l.maxHeaderCount() + ") header fields";
        }
        if (total > l.maxHeadersTotal()) {
            return "431 the header fields take more than proxy.limits.max_headers_total (" + l.maxHeadersTotal() + " bytes)";
        }
        return null;
    }

    /** The first control byte in {@code s} as {@code 0xNN}, horizontal tab aside unless it is the only one; or null. */
    private static String controlIn(String s) {
        String tab = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (c != '\t') {
                    return RequestHead.hex((byte) c);
                }
                tab = "0x09";
            }
        }
        return tab;
    }

    /**
     * Counts the connection against its client on its first request, and refuses it (429) when
     * that client already holds {@code proxy.limits.max_connections_per_ip}. The count drops when
     * the connection closes.
     */
    private boolean counted(HttpServerExchange ex, RuntimeConfig.Limits l) {
        ServerConnection c = ex.getConnection();
        if (c.getAttachment(COUNTED) != null) {
            return true;
        }
        String ip = ex.getAttachment(Exchanges.CLIENT_IP);
        if (ip == null) {
            ip = "";
        }
        String client = ip;
        c.putAttachment(COUNTED, client);
        int n = open.merge(client, 1, Integer::sum);
        c.addCloseListener(x -> open.computeIfPresent(client, (k, v) -> v <= 1 ? null : v - 1));
        int cap = l.maxConnectionsPerIp();
        if (cap > 0 && n > cap) {
            ex.setPersistent(false);
            ErrorPages.send(ex, 429, "more than proxy.limits.max_connections_per_ip (" + cap + ") open connections from " + client);
            return false;
        }
        return true;
    }

    /** Open connections counted per client, for tests and metrics. */
    int openConnections(String client) {
        return open.getOrDefault(client, 0);
    }

    @Override
    public String toString() {
        return "guard() -> " + next;
    }
}
