package io.tiyi.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The strict reading of one HTTP/1.x request head (request line and header fields, up to the
 * blank line), done before Undertow parses it. Undertow is lenient where a backend behind Tiyi
 * may read the same bytes differently (a bare CR ends a line for some and not for others, an
 * unknown transfer coding leaves the body's end to guesswork), and a request that two parsers
 * frame differently is how requests are smuggled. So a head is accepted only when every reading
 * of it agrees, and refused otherwise with the status RFC 9110 and 9112 give:
 *
 * <ul>
 *   <li>400 for a malformed request line or field line: CR not followed by LF, NUL or any other
 *       control byte, whitespace between a field name and its colon, obsolete line folding, a
 *       duplicate or invalid Host, Content-Length with Transfer-Encoding, a Content-Length that is
 *       not one number;</li>
 *   <li>414 for a request target longer than {@code proxy.limits.max_request_line};</li>
 *   <li>431 past {@code proxy.limits.max_header_count}, {@code max_header_size} or
 *       {@code max_headers_total};</li>
 *   <li>501 for a transfer coding other than {@code chunked}, 505 for a version other than
 *       HTTP/1.0 and HTTP/1.1, 405 for CONNECT (Tiyi is not a forward proxy).</li>
 * </ul>
 *
 * Lines may end with CRLF or a bare LF (RFC 9112 section 2.2); Undertow writes the head anew for
 * the upstream, always with CRLF.
 */
final class RequestHead {
    /** How the body of an accepted request is framed. */
    enum Framing {
        NONE,
        LENGTH,
        CHUNKED
    }

    /**
     * The outcome: either accepted ({@code status == 0}) with its framing, or refused with a
     * status and a reason that names the problem.
     *
     * @param status 0 when accepted, else the refusal's status
     * @param reason why it was refused, naming the setting when a limit was passed
     * @param method the request method, or what could be read of it
     * @param target the request target, or what could be read of it
     * @param host the Host value when there is exactly one clean one, else null
     * @param framing how the body is framed
     * @param length the body length for {@link Framing#LENGTH}
     * @param upgrade the request asks to switch protocols (WebSocket, h2c)
     * @param marker the head carries an {@link EdgeMarker#HEADER} field, which only the edge may write
     */
    record Result(int status, String reason, String method, String target, String host, Framing framing, long length, boolean upgrade,
            boolean marker) {
        Result(int status, String reason, String method, String target, String host, Framing framing, long length, boolean upgrade) {
            this(status, reason, method, target, host, framing, length, upgrade, false);
        }

        boolean accepted() {
            return status == 0;
        }
    }

    /** The limits a head is held to; see {@link RuntimeConfig.Limits}. */
    record Limits(int maxRequestLine, int maxHeaderCount, int maxHeaderSize, int maxHeadersTotal) {
        static Limits of(RuntimeConfig.Limits l) {
            return new Limits(l.maxRequestLine(), l.maxHeaderCount(), l.maxHeaderSize(), l.maxHeadersTotal());
        }

        /** The most bytes a head may take before it is refused unseen. */
        int maxHead() {
            return maxRequestLine + maxHeadersTotal + 4;
        }
    }

    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private RequestHead() {}

    /** Whether {@code b} may appear in a method or a field name. */
    static boolean tchar(int b) {
        return TCHAR[b & 0xff];
    }

    /** Control bytes: never valid in a field value or a request target (HTAB aside, in values). */
    static boolean ctl(int b) {
        b &= 0xff;
        return b < 0x20 || b == 0x7f;
    }

    /**
     * Where the head that starts at {@code from} ends (the index after its blank line), or -1 when
     * the blank line has not arrived yet. Empty lines before the request line are skipped, as RFC
     * 9112 section 2.2 allows.
     */
    static int end(byte[] b, int from, int to) {
        int i = from;
        while (i < to && (b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                int j = i + 1;
                if (j < to && b[j] == '\n') {
                    return j + 1;
                }
                if (j + 1 < to && b[j] == '\r' && b[j + 1] == '\n') {
                    return j + 2;
                }
            }
        }
        return -1;
    }

    /**
     * Whether bytes of an unfinished head already break a limit, so that it is refused before more
     * of it is held: the request line, one field line or all of them too long, or too many fields.
     */
    static Result early(byte[] b, int from, int to, Limits limits) {
        int i = from;
        while (i < to && (b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        int lineStart = i;
        int fields = 0;
        int fieldBytes = 0;
        boolean requestLine = true;
        for (; i < to; i++) {
            if (b[i] == '\n') {
                int len = i - lineStart;
                if (requestLine) {
                    requestLine = false;
                } else {
                    fields++;
                    fieldBytes += len + 1;
                }
                lineStart = i + 1;
            }
        }
        int open = to - lineStart;
        if (requestLine) {
            if (open > limits.maxRequestLine()) {
                return refuse(414, "the request line is longer than proxy.limits.max_request_line (" + limits.maxRequestLine() + " bytes)",
                        b, from, to);
            }
            return null;
        }
        if (open > limits.maxHeaderSize()) {
            return refuse(431, "a header field is longer than proxy.limits.max_header_size (" + limits.maxHeaderSize() + " bytes)", b, from, to);
        }
        if (fields > limits.maxHeaderCount()) {
            return refuse(431, "more than proxy.limits.max_header_count (" + limits.maxHeaderCount() + ") header fields", b, from, to);
        }
        if (fieldBytes + open > limits.maxHeadersTotal()) {
            return refuse(431, "the header fields take more than proxy.limits.max_headers_total (" + limits.maxHeadersTotal() + " bytes)", b,
                    from, to);
        }
        return null;
    }

    /** Reads the complete head in {@code b[from, to)} (as found by {@link #end}). */
    static Result parse(byte[] b, int from, int to, Limits limits) {
        int i = from;
        while (i < to && (b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        List<int[]> lines = new ArrayList<>();
        int lineStart = i;
        for (; i < to; i++) {
            byte c = b[i];
            if (c == '\n') {
                int e = i > lineStart && b[i - 1] == '\r' ? i - 1 : i;
                lines.add(new int[] {lineStart, e});
                lineStart = i + 1;
            } else if (c == '\r' && (i + 1 >= to || b[i + 1] != '\n')) {
                return refuse(400, "a CR not followed by LF in the request head", b, from, to);
            }
        }
        // The last line is the blank one that ended the head.
        if (lines.isEmpty()) {
            return refuse(400, "an empty request head", b, from, to);
        }
        int[] rl = lines.get(0);
        Result line = requestLine(b, rl[0], rl[1], limits);
        if (line != null && !line.accepted()) {
            return line;
        }
        String method = line.method();
        String target = line.target();
        boolean http10 = line.reason().equals("HTTP/1.0");
        if (lines.size() - 2 > limits.maxHeaderCount()) {
            return refused(431, "more than proxy.limits.max_header_count (" + limits.maxHeaderCount() + ") header fields", method, target);
        }
        int total = 0;
        String host = null;
        int hosts = 0;
        String contentLength = null;
        List<String> codings = null;
        boolean upgrade = false;
        boolean connectionUpgrade = false;
        boolean marker = false;
        for (int n = 1; n < lines.size() - 1; n++) {
            int s = lines.get(n)[0];
            int e = lines.get(n)[1];
            int len = e - s;
            total += len + 2;
            if (len > limits.maxHeaderSize()) {
                return refused(431, "a header field is longer than proxy.limits.max_header_size (" + limits.maxHeaderSize() + " bytes)", method,
                        target);
            }
            if (total > limits.maxHeadersTotal()) {
                return refused(431, "the header fields take more than proxy.limits.max_headers_total (" + limits.maxHeadersTotal() + " bytes)",
                        method, target);
            }
            if (len == 0) {
                return refused(400, "an empty line inside the header fields", method, target);
            }
            if (b[s] == ' ' || b[s] == '\t') {
                return refused(400, "obsolete line folding (a header line starting with whitespace)", method, target);
            }
            int colon = -1;
            for (int k = s; k < e; k++) {
                if (b[k] == ':') {
                    colon = k;
                    break;
                }
                if (!tchar(b[k])) {
                    return refused(400, b[k] == ' ' || b[k] == '\t' ? "whitespace between a header name and its colon"
                            : "a header name with byte " + hex(b[k]), method, target);
                }
            }
            if (colon <= s) {
                return refused(400, colon < 0 ? "a header line without a colon" : "a header line with an empty name", method, target);
            }
            for (int k = colon + 1; k < e; k++) {
                if (ctl(b[k]) && b[k] != '\t') {
                    return refused(400, "header " + ascii(b, s, colon) + " holds control byte " + hex(b[k]), method, target);
                }
            }
            // Only the few fields framing and routing depend on are read into strings.
            String name = field(b, s, colon);
            if (name == null) {
                continue;
            }
            String value = new String(b, colon + 1, e - colon - 1, StandardCharsets.ISO_8859_1).strip();
            switch (name) {
                case "x-tiyi-edge" -> marker = true;
                case "host" -> {
                    hosts++;
                    host = value;
                }
                case "content-length" -> {
                    if (contentLength != null) {
                        return refused(400, "more than one Content-Length", method, target);
                    }
                    contentLength = value;
                }
                case "transfer-encoding" -> {
                    if (codings == null) {
                        codings = new ArrayList<>();
                    }
                    for (String c : value.split(",", -1)) {
                        codings.add(c.strip().toLowerCase(Locale.ROOT));
                    }
                }
                case "upgrade" -> upgrade = !value.isEmpty();
                case "connection" -> {
                    for (String c : value.split(",")) {
                        connectionUpgrade |= c.strip().equalsIgnoreCase("upgrade");
                    }
                }
                default -> {}
            }
        }
        if (hosts > 1) {
            return refused(400, "more than one Host header", method, target);
        }
        if (hosts == 0 && !http10) {
            return refused(400, "an HTTP/1.1 request without a Host header", method, target);
        }
        // HTTP/1.0 needs no Host, and an empty one there says as much; HTTP/1.1 needs a real one.
        if (host != null && !validHost(host) && !(http10 && host.isEmpty())) {
            return refused(400, "an invalid Host header", method, target);
        }
        String targetHost = absoluteHost(target);
        if (targetHost != null && (host == null || !targetHost.equalsIgnoreCase(host))) {
            return refused(400, "a request target whose host differs from the Host header", method, target);
        }
        Framing framing = Framing.NONE;
        long length = 0;
        if (codings != null) {
            if (http10) {
                return refused(400, "Transfer-Encoding in an HTTP/1.0 request", method, target);
            }
            if (contentLength != null) {
                return refused(400, "both Content-Length and Transfer-Encoding", method, target);
            }
            if (codings.size() != 1 || !codings.get(0).equals("chunked")) {
                String unknown = codings.stream().filter(c -> !c.equals("chunked")).findFirst().orElse("chunked");
                return codings.contains("") || unknown.equals("chunked")
                        ? refused(400, "a Transfer-Encoding other than one 'chunked'", method, target)
                        : refused(501, "transfer coding '" + printable(unknown) + "' is not supported (only chunked)", method, target);
            }
            framing = Framing.CHUNKED;
        } else if (contentLength != null) {
            if (contentLength.isEmpty() || contentLength.length() > 18 || !contentLength.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return refused(400, "a Content-Length that is not one number", method, target);
            }
            length = Long.parseLong(contentLength);
            framing = length > 0 ? Framing.LENGTH : Framing.NONE;
        }
        boolean switching = upgrade && connectionUpgrade;
        if (switching && framing != Framing.NONE) {
            return refused(400, "a protocol upgrade with a request body", method, target);
        }
        return new Result(0, "", method, target, host, framing, length, switching, marker);
    }

    private static final String[] FIELDS = {"host", "content-length", "transfer-encoding", "upgrade", "connection", "x-tiyi-edge"};

    /** The lower-case name of a field the edge reads, or null for any other field. */
    private static String field(byte[] b, int from, int to) {
        int len = to - from;
        for (String f : FIELDS) {
            if (f.length() == len && equalsIgnoreCase(b, from, f)) {
                return f;
            }
        }
        return null;
    }

    private static boolean equalsIgnoreCase(byte[] b, int from, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            int c = b[from + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static Result requestLine(byte[] b, int s, int e, Limits limits) {
        int sp1 = indexOf(b, s, e, (byte) ' ');
        if (sp1 <= s) {
            return refused(400, "a malformed request line", ascii(b, s, Math.min(e, s + 64)), "");
        }
        for (int k = s; k < sp1; k++) {
            if (!tchar(b[k])) {
                return refused(400, "a method with byte " + hex(b[k]), "", "");
            }
        }
        String method = ascii(b, s, sp1);
        if (method.length() > 64) {
            return refused(400, "a method longer than 64 bytes", method.substring(0, 64), "");
        }
        int ts = sp1 + 1;
        int sp2 = indexOf(b, ts, e, (byte) ' ');
        int te = sp2 < 0 ? e : sp2;
        if (te - ts > limits.maxRequestLine()) {
            return refused(414, "the request target is longer than proxy.limits.max_request_line (" + limits.maxRequestLine() + " bytes)",
                    method, ascii(b, ts, ts + 256));
        }
        String target = new String(b, ts, te - ts, StandardCharsets.ISO_8859_1);
        if (e - s > limits.maxRequestLine()) {
            return refused(414, "the request line is longer than proxy.limits.max_request_line (" + limits.maxRequestLine() + " bytes)",
                    method, target);
        }
        for (int k = ts; k < te; k++) {
            if (ctl(b[k])) {
                return refused(400, "the request target holds control byte " + hex(b[k]), method, target);
            }
        }
        if (te == ts) {
            return refused(400, "an empty request target", method, target);
        }
        if (sp2 < 0) {
            return refused(400, "a request line without an HTTP version", method, target);
        }
        String version = ascii(b, sp2 + 1, e);
        if (!httpVersion(version)) {
            return refused(400, "a malformed HTTP version", method, target);
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            return refused(505, printable(version) + " is not supported (HTTP/1.0, HTTP/1.1 and HTTP/2)", method, target);
        }
        if (method.equals("CONNECT")) {
            return refused(405, "CONNECT is not supported: Tiyi is a reverse proxy", method, target);
        }
        char first = target.charAt(0);
        boolean origin = first == '/';
        boolean asterisk = target.equals("*") && method.equals("OPTIONS");
        boolean absolute = absoluteHost(target) != null;
        if (!origin && !asterisk && !absolute) {
            return refused(400, "a request target that is neither a path, an absolute URI nor OPTIONS *", method, target);
        }
        // The version travels in the reason of an accepted line; parse() reads it from there.
        return new Result(0, version, method, target, null, Framing.NONE, 0, false);
    }

    /** The host of an absolute-form target ({@code http://host[:port]/...}), else null. */
    static String absoluteHost(String target) {
        if (target.isEmpty() || target.charAt(0) == '/') {
            // The origin form, nearly every request: no need to lower-case it to know.
            return null;
        }
        String t = target.toLowerCase(Locale.ROOT);
        int start = t.startsWith("http://") ? 7 : t.startsWith("https://") ? 8 : -1;
        if (start < 0) {
            return null;
        }
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        String authority = target.substring(start, end);
        return authority.isEmpty() || authority.contains("@") ? "" : authority;
    }

    /**
     * {@code host[:port]} or a bracketed IPv6 literal with an optional port. Not empty: an http or
     * https URI has a host (RFC 9110 section 4.2.1). No percent-encoding outside an IPv6 zone: no
     * real host name has one, and {@code localhost%1F} hides a control byte.
     */
    static boolean validHost(String h) {
        // By hand rather than a regular expression, as it runs on every request; the grammar is
        // (\[[0-9A-Fa-f:.]+(%25[A-Za-z0-9._~-]+)?\]|[A-Za-z0-9._~!$&'()*+,;=-]+)(:[0-9]{1,5})?
        int n = h.length();
        int i = 0;
        if (n > 0 && h.charAt(0) == '[') {
            i = skip(h, 1, IPV6);
            if (i == 1) {
                return false;
            }
            if (h.startsWith("%25", i)) {
                int zone = i + 3;
                i = skip(h, zone, UNRESERVED);
                if (i == zone) {
                    return false;
                }
            }
            if (i >= n || h.charAt(i) != ']') {
                return false;
            }
            i++;
        } else {
            i = skip(h, 0, REG_NAME);
            if (i == 0) {
                return false;
            }
        }
        if (i == n) {
            return true;
        }
        int digits = n - i - 1;
        return h.charAt(i) == ':' && digits >= 1 && digits <= 5 && skip(h, i + 1, DIGIT) == n;
    }

    private static final boolean[] IPV6 = chars("0123456789ABCDEFabcdef:.");
    private static final boolean[] UNRESERVED = chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-");
    private static final boolean[] REG_NAME = chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~!$&'()*+,;=-");
    private static final boolean[] DIGIT = chars("0123456789");

    private static boolean[] chars(String set) {
        boolean[] t = new boolean[128];
        for (int i = 0; i < set.length(); i++) {
            t[set.charAt(i)] = true;
        }
        return t;
    }

    /** The index of the first character from {@code i} on that is not in {@code set}. */
    private static int skip(String s, int i, boolean[] set) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 128 || !set[c]) {
                break;
            }
            i++;
        }
        return i;
    }

    /** {@code HTTP/<digit>.<digit>}. */
    static boolean httpVersion(String v) {
        return v.length() == 8 && v.startsWith("HTTP/") && isDigit(v.charAt(5)) && v.charAt(6) == '.' && isDigit(v.charAt(7));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static String ascii(byte[] b, int from, int to) {
        return new String(b, from, Math.max(0, Math.min(to, b.length) - from), StandardCharsets.ISO_8859_1);
    }

    static String hex(byte b) {
        return String.format("0x%02X", b & 0xff);
    }

    /** {@code s} with control bytes and non-ASCII shown as {@code \xNN}, for messages and events. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '\\') {
                out.append(String.format("\\x%02X", (int) c & 0xff));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static Result refused(int status, String reason, String method, String target) {
        return new Result(status, reason, method, target, null, Framing.NONE, 0, false);
    }

    /** A refusal of an unreadable head: what the request line seems to say, for the event. */
    private static Result refuse(int status, String reason, byte[] b, int from, int to) {
        int i = from;
        while (i < to && (b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        int e = i;
        while (e < to && b[e] != '\r' && b[e] != '\n' && e - i < 512) {
            e++;
        }
        String line = ascii(b, i, e);
        int sp = line.indexOf(' ');
        String method = sp > 0 && sp <= 64 ? line.substring(0, sp) : "";
        String rest = sp > 0 ? line.substring(sp + 1) : line;
        int sp2 = rest.lastIndexOf(' ');
        return refused(status, reason, method, sp2 > 0 ? rest.substring(0, sp2) : rest);
    }
}
