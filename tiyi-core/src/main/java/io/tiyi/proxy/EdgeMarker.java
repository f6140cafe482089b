package io.tiyi.proxy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * How the {@link EdgeConduit} tells the handler chain what it did to a head, in a header only it
 * can write: it removes any such header a client sends, and signs its own with a per-process
 * secret (HTTP/2 requests never pass the conduit, so the chain trusts the header only on HTTP/1.x
 * and only with the secret).
 *
 * <ul>
 *   <li>A refusal becomes a request of Tiyi's own: {@code GET /} with the marker
 *       {@code <secret> refuse <status> <reason> <method> <target>} (Base64url fields), which the
 *       chain answers with the refusal.</li>
 *   <li>A target with {@code ;} in its path is handed to Undertow with the {@code ;} escaped,
 *       since Undertow's path-parameter parsing refuses some valid targets ({@code /x;a,b}), with
 *       the marker {@code <secret> target <original>}; the chain puts the original back, and the
 *       WAF and the upstream see the target as sent.</li>
 * </ul>
 */
final class EdgeMarker {
    static final String HEADER = "X-Tiyi-Edge";
    /** The Host of a stand-in request; never a site's (the {@code .invalid} TLD is reserved). */
    static final String STAND_IN_HOST = "refused.tiyi.invalid";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

    /** What a marker says. {@code status} is 0 for a restored target; {@code head} is the refused head, or empty. */
    record Mark(int status, String reason, String method, String target, String head) {
        boolean refusal() {
            return status != 0;
        }
    }

    private final String secret;
    /**
     * Each open HTTP/1.x connection's conduit, for the chain to tell it which exchange it serves.
     * Both sides are weak: the connection keeps its conduit alive (it reads through it), and the
     * conduit refers to its connection, so a strong value would keep every connection ever opened.
     */
    private final java.util.Map<org.xnio.StreamConnection, java.lang.ref.WeakReference<EdgeConduit>> conduits =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    void register(org.xnio.StreamConnection c, EdgeConduit conduit) {
        conduits.put(c, new java.lang.ref.WeakReference<>(conduit));
    }

    /** The conduit under an exchange's connection, or null (HTTP/2, or a connection not opened by the edge). */
    EdgeConduit conduitOf(io.undertow.server.HttpServerExchange ex) {
        if (!(ex.getConnection() instanceof io.undertow.server.protocol.http.HttpServerConnection h)) {
            return null;
        }
        // Kept on the connection after the first request: the shared map is locked, and every request asks.
        EdgeConduit known = h.getAttachment(CONDUIT);
        if (known != null) {
            return known;
        }
        java.lang.ref.WeakReference<EdgeConduit> r = conduits.get(h.getChannel());
        EdgeConduit c = r == null ? null : r.get();
        if (c != null) {
            h.putAttachment(CONDUIT, c);
        }
        return c;
    }

    private static final io.undertow.util.AttachmentKey<EdgeConduit> CONDUIT = io.undertow.util.AttachmentKey.create(EdgeConduit.class);

    /** Connections whose conduit is still registered (for tests: closed ones must go). */
    int registered() {
        synchronized (conduits) {
            conduits.values().removeIf(r -> r.get() == null);
            return conduits.size();
        }
    }

    EdgeMarker() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        secret = B64.encodeToString(b);
    }

    /** The most bytes of a refused head carried to the chain for the WAF to inspect. */
    static final int MAX_CARRIED_HEAD = 64 * 1024;

    /**
     * The request Undertow reads in place of a refused one; {@code head} (the refused head, when
     * whole and small enough, else null) travels with it so that the WAF still inspects it.
     */
    byte[] refusal(RequestHead.Result r, byte[] head) {
        // The chain puts the refused head's own fields back; this Host only gets the stand-in parsed.
        String s = "GET / HTTP/1.1\r\nHost: " + STAND_IN_HOST + "\r\nConnection: close\r\n" + HEADER + ": " + secret + " refuse " + r.status() + " "
                + enc(r.reason()) + " " + enc(r.method()) + " " + enc(cut(r.target())) + " "
                + (head == null || head.length == 0 || head.length > MAX_CARRIED_HEAD ? "-" : B64.encodeToString(head)) + "\r\n\r\n";
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The bytes Undertow reads for an accepted head, or null when they are the head itself (nearly always). */
    byte[] rewrite(byte[] b, int from, int to, RequestHead.Result r) {
        String target = r.target();
        int q = target.indexOf('?');
        int semicolon = target.indexOf(';');
        boolean escape = target.startsWith("/") && semicolon >= 0 && (q < 0 || semicolon < q);
        if (!escape && !r.marker()) {
            return null;
        }
        String path = q < 0 ? target : target.substring(0, q);
        String text = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        StringBuilder s = new StringBuilder(text.length() + 64);
        int first = 0;
        while (lines[first].isEmpty()) {
            first++;
        }
        String line = lines[first];
        if (escape) {
            String escaped = path.replace(";", "%3B") + (q < 0 ? "" : target.substring(q));
            int sp = line.indexOf(' ');
            line = line.substring(0, sp + 1) + escaped + line.substring(sp + 1 + target.length());
        }
        s.append(line).append("\r\n");
        for (int i = first + 1; i < lines.length; i++) {
            String l = lines[i];
            if (l.isEmpty()) {
                break;
            }
            if (l.regionMatches(true, 0, HEADER + ":", 0, HEADER.length() + 1)) {
                continue;
            }
            s.append(l).append("\r\n");
        }
        if (escape) {
            s.append(HEADER).append(": ").append(secret).append(" target ").append(enc(target)).append("\r\n");
        }
        s.append("\r\n");
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** What a marker header value says, or null when it is not this process's. */
    Mark read(String value) {
        if (value == null) {
            return null;
        }
        String[] p = value.split(" ", -1);
        if (p.length < 3 || !java.security.MessageDigest.isEqual(p[0].getBytes(StandardCharsets.ISO_8859_1),
                secret.getBytes(StandardCharsets.ISO_8859_1))) {
            return null;
        }
        try {
            if (p[1].equals("target") && p.length == 3) {
                return new Mark(0, "", "", dec(p[2]), "");
            }
            if (p[1].equals("refuse") && p.length == 7) {
                return new Mark(Integer.parseInt(p[2]), dec(p[3]), dec(p[4]), dec(p[5]), dec(p[6]));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    /** Enough of a refused target for the event, and a marker that stays small. */
    private static String cut(String s) {
        return s == null || s.length() <= 1024 ? s : s.substring(0, 1024);
    }

    /** Base64url, or {@code -} for nothing: Undertow trims a header value, so no field may be empty. */
    private static String enc(String s) {
        return s == null || s.isEmpty() ? "-" : B64.encodeToString(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String dec(String s) {
        return s.equals("-") ? "" : new String(UNB64.decode(s), StandardCharsets.ISO_8859_1);
    }
}
