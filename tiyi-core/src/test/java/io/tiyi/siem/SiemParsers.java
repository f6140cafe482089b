package io.tiyi.siem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Strict readers of what the formats write, written from the specifications rather than from the
 * writers: RFC 5424's ABNF (section 6), CEF's header and extension rules, LEEF 2.0's header and
 * attributes. Anything they do not accept throws {@link IllegalArgumentException}.
 */
final class SiemParsers {
    record Syslog(int pri, int version, String timestamp, String hostname, String appName, String procId, String msgId,
            List<SdElement> structuredData, String msg) {}

    record SdElement(String id, Map<String, String> params) {}

    record Cef(String version, String vendor, String product, String deviceVersion, String classId, String name, String severity,
            Map<String, String> extension) {}

    record Leef(String version, String vendor, String product, String deviceVersion, String eventId, String delimiter,
            Map<String, String> attributes) {}

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?(Z|[+-]\\d{2}:\\d{2})");
    private static final Pattern CEF_KEY = Pattern.compile("[A-Za-z0-9_]+");

    private SiemParsers() {}

    // ---- RFC 5424 -------------------------------------------------------------------------

    static Syslog rfc5424(String m) {
        if (m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a line break in the message");
        }
        Cursor c = new Cursor(m);
        c.expect('<');
        String prival = c.takeWhile(Character::isDigit);
        if (prival.isEmpty() || prival.length() > 3 || Integer.parseInt(prival) > 191) {
            throw new IllegalArgumentException("PRIVAL '" + prival + "'");
        }
        c.expect('>');
        String version = c.takeWhile(Character::isDigit);
        if (version.isEmpty() || version.length() > 3 || version.charAt(0) == '0') {
            throw new IllegalArgumentException("VERSION '" + version + "'");
        }
        c.expect(' ');
        String ts = c.token();
        if (!ts.equals("-") && !TIMESTAMP.matcher(ts).matches()) {
            throw new IllegalArgumentException("TIMESTAMP '" + ts + "'");
        }
        c.expect(' ');
        String hostname = headerField(c.token(), 255, "HOSTNAME");
        c.expect(' ');
        String appName = headerField(c.token(), 48, "APP-NAME");
        c.expect(' ');
        String procId = headerField(c.token(), 128, "PROCID");
        c.expect(' ');
        String msgId = headerField(c.token(), 32, "MSGID");
        c.expect(' ');
        List<SdElement> sd = new ArrayList<>();
        if (c.peek() == '-') {
            c.next();
        } else {
            while (!c.done() && c.peek() == '[') {
                sd.add(sdElement(c));
            }
            if (sd.isEmpty()) {
                throw new IllegalArgumentException("STRUCTURED-DATA neither '-' nor an SD-ELEMENT at " + c.pos);
            }
        }
        String msg = null;
        if (!c.done()) {
            c.expect(' ');
            msg = c.rest();
            if (msg.startsWith("\uFEFF")) {
                throw new IllegalArgumentException("MSG starts with a BOM, Tiyi writes MSG-ANY");
            }
        }
        return new Syslog(Integer.parseInt(prival), Integer.parseInt(version), ts, hostname, appName, procId, msgId, sd, msg);
    }

    private static String headerField(String v, int max, String what) {
        if (v.isEmpty() || v.length() > max) {
            throw new IllegalArgumentException(what + " of " + v.length() + " characters");
        }
        for (char ch : v.toCharArray()) {
            if (ch < 33 || ch > 126) {
                throw new IllegalArgumentException(what + " has character " + (int) ch);
            }
        }
        return v;
    }

    private static SdElement sdElement(Cursor c) {
        c.expect('[');
        String id = sdName(c, "SD-ID");
        int at = id.indexOf('@');
        if (at >= 0 && (at == 0 || !id.substring(at + 1).matches("\\d+(\\.\\d+)*") || id.indexOf('@', at + 1) >= 0)) {
            throw new IllegalArgumentException("SD-ID '" + id + "' is neither IANA-registered nor name@<private enterprise number>");
        }
        Map<String, String> params = new LinkedHashMap<>();
        while (c.peek() == ' ') {
            c.next();
            String name = sdName(c, "PARAM-NAME");
            c.expect('=');
            c.expect('"');
            StringBuilder v = new StringBuilder();
            while (true) {
                char ch = c.next();
                if (ch == '"') {
                    break;
                }
                if (ch == ']') {
                    throw new IllegalArgumentException("unescaped ']' in PARAM-VALUE of " + name);
                }
                if (ch == '\\' && (c.peek() == '"' || c.peek() == '\\' || c.peek() == ']')) {
                    v.append(c.next());
                } else {
                    // Section 6.3.3: a backslash before any other character is a backslash.
                    v.append(ch);
                }
            }
            if (params.put(name, v.toString()) != null) {
                throw new IllegalArgumentException("PARAM-NAME " + name + " twice");
            }
        }
        c.expect(']');
        return new SdElement(id, params);
    }

    private static String sdName(Cursor c, String what) {
        String n = c.takeWhile(ch -> ch >= 33 && ch <= 126 && ch != '=' && ch != ']' && ch != '"' && ch != ' ');
        if (n.isEmpty() || n.length() > 32) {
            throw new IllegalArgumentException(what + " '" + n + "' at " + c.pos);
        }
        return n;
    }

    // ---- CEF ------------------------------------------------------------------------------

    static Cef cef(String msg) {
        if (!msg.startsWith("CEF:")) {
            throw new IllegalArgumentException("not CEF: " + msg);
        }
        List<String> header = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 4;
        while (header.size() < 7) {
            if (i >= msg.length()) {
                throw new IllegalArgumentException("CEF header has " + header.size() + " of 7 fields before the extension");
            }
            char ch = msg.charAt(i++);
            if (ch == '\\') {
                char e = msg.charAt(i++);
                if (e != '\\' && e != '|') {
                    throw new IllegalArgumentException("'\\" + e + "' is no CEF header escape");
                }
                field.append(e);
            } else if (ch == '|') {
                header.add(field.toString());
                field.setLength(0);
            } else {
                field.append(ch);
            }
        }
        return new Cef(header.get(0), header.get(1), header.get(2), header.get(3), header.get(4), header.get(5), header.get(6),
                cefExtension(msg.substring(i)));
    }

    /**
     * Splits on unescaped {@code =}: the key is the word before it (back to the previous space),
     * the value runs to the space before the next key; then {@code \\}, {@code \=}, {@code \n}
     * and {@code \r} are unescaped.
     */
    static Map<String, String> cefExtension(String ext) {
        List<Integer> equals = new ArrayList<>();
        for (int i = 0; i < ext.length(); i++) {
            char ch = ext.charAt(i);
            if (ch == '\\') {
                i++;
            } else if (ch == '=') {
                equals.add(i);
            } else if (ch == '\n' || ch == '\r') {
                throw new IllegalArgumentException("raw line break in the CEF extension");
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        int keyStart = 0;
        for (int k = 0; k < equals.size(); k++) {
            int eq = equals.get(k);
            String key = ext.substring(keyStart, eq);
            if (!CEF_KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("CEF key '" + key + "'");
            }
            int valueEnd;
            int nextKeyStart;
            if (k + 1 < equals.size()) {
                int sp = ext.lastIndexOf(' ', equals.get(k + 1));
                if (sp <= eq) {
                    throw new IllegalArgumentException("no space before the key after '" + key + "'");
                }
                valueEnd = sp;
                nextKeyStart = sp + 1;
            } else {
                valueEnd = ext.length();
                nextKeyStart = ext.length();
            }
            if (out.put(key, cefUnescape(ext.substring(eq + 1, valueEnd))) != null) {
                throw new IllegalArgumentException("CEF key " + key + " twice");
            }
            keyStart = nextKeyStart;
        }
        return out;
    }

    private static String cefUnescape(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch != '\\') {
                b.append(ch);
                continue;
            }
            char e = v.charAt(++i);
            switch (e) {
                case '\\', '=' -> b.append(e);
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                default -> throw new IllegalArgumentException("'\\" + e + "' is no CEF extension escape");
            }
        }
        return b.toString();
    }

    // ---- LEEF -----------------------------------------------------------------------------

    static Leef leef(String msg) {
        if (!msg.startsWith("LEEF:")) {
            throw new IllegalArgumentException("not LEEF: " + msg);
        }
        List<String> header = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 5;
        while (header.size() < 6) {
            if (i >= msg.length()) {
                throw new IllegalArgumentException("LEEF 2.0 header has " + header.size() + " of 6 fields");
            }
            char ch = msg.charAt(i++);
            if (ch == '\\' && i < msg.length() && (msg.charAt(i) == '|' || msg.charAt(i) == '\\')) {
                field.append(msg.charAt(i++));
            } else if (ch == '|') {
                header.add(field.toString());
                field.setLength(0);
            } else {
                field.append(ch);
            }
        }
        if (!header.get(0).equals("2.0")) {
            throw new IllegalArgumentException("LEEF version " + header.get(0));
        }
        char delimiter = delimiter(header.get(5));
        Map<String, String> attributes = new LinkedHashMap<>();
        String rest = msg.substring(i);
        if (rest.indexOf('\n') >= 0 || rest.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("line break in the LEEF attributes");
        }
        for (String pair : rest.split(Pattern.quote(String.valueOf(delimiter)), -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("LEEF attribute without key=value: '" + pair + "'");
            }
            String key = pair.substring(0, eq);
            if (key.chars().anyMatch(ch -> ch <= ' ' || ch == '|' || ch == '^')) {
                throw new IllegalArgumentException("LEEF key '" + key + "'");
            }
            if (attributes.put(key, pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("LEEF key " + key + " twice");
            }
        }
        return new Leef(header.get(0), header.get(1), header.get(2), header.get(3), header.get(4), header.get(5), attributes);
    }

    /** LEEF 2.0: one character, or {@code x}/{@code 0x} and 1 to 4 hex digits. */
    static char delimiter(String field) {
        String hex = field.startsWith("0x") ? field.substring(2) : field.startsWith("x") ? field.substring(1) : null;
        if (hex != null) {
            if (!hex.matches("[0-9A-Fa-f]{1,4}")) {
                throw new IllegalArgumentException("LEEF delimiter '" + field + "'");
            }
            return (char) Integer.parseInt(hex, 16);
        }
        if (field.length() != 1) {
            throw new IllegalArgumentException("LEEF delimiter '" + field + "'");
        }
        return field.charAt(0);
    }

    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean done() {
            return pos >= s.length();
        }

        char peek() {
            if (done()) {
                throw new IllegalArgumentException("message ends at " + pos);
            }
            return s.charAt(pos);
        }

        char next() {
            char ch = peek();
            pos++;
            return ch;
        }

        void expect(char ch) {
            if (done() || s.charAt(pos) != ch) {
                throw new IllegalArgumentException("expected '" + ch + "' at " + pos + " in " + s);
            }
            pos++;
        }

        String token() {
            return takeWhile(ch -> ch != ' ');
        }

        String takeWhile(java.util.function.IntPredicate p) {
            int start = pos;
            while (!done() && p.test(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        String rest() {
            String r = s.substring(pos);
            pos = s.length();
            return r;
        }
    }
}
