package io.tiyi.siem;

import io.tiyi.internal.Json;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Escaping and sanitising of the text the formats write. Most of it comes from requests (paths,
 * matched payloads, Host headers), so it is attacker-controlled: whatever it holds, a message
 * stays one line and its fields stay where the receiver's parser expects them.
 */
final class Text {
    /** The cap on {@code SecurityEvent.matched()} in every format, the {@code ...} included. */
    static final int MATCHED_MAX = 256;

    private Text() {}

    static String nz(String s) {
        return s == null ? "" : s;
    }

    /**
     * Control characters (C0, DEL, C1) and the Unicode line and paragraph separators become a
     * space: line-oriented receivers would split a message on them, and terminal escapes (ESC) in
     * a payload must not reach an analyst's terminal.
     */
    static boolean breaksLine(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    /** Free text on one line: see {@link #breaksLine}. */
    static String oneLine(String s) {
        s = nz(s);
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            if (breaksLine(s.charAt(i))) {
                if (b == null) {
                    b = new StringBuilder(s);
                }
                b.setCharAt(i, ' ');
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * At most {@code max} characters, the last three {@code ...} when cut. A surrogate pair is
     * never split, so the result is still valid UTF-16 and encodes to valid UTF-8.
     */
    static String cap(String s, int max) {
        s = nz(s);
        if (s.length() <= max) {
            return s;
        }
        int end = max - 3;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "...";
    }

    /** {@code SecurityEvent.matched()} is truncated upstream already; the cap here holds whatever the recorder did. */
    static String matched(String s) {
        return cap(s, MATCHED_MAX);
    }

    /** An audit detail's value: scalars as written, anything nested as the JSON the audit chain records. */
    static String detail(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof Character) {
            return String.valueOf(v);
        }
        return Json.write(v);
    }

    /** An audit entry's details sorted by key: the map has no order, and the same entry must always give the same message. */
    static SortedMap<String, Object> sorted(Map<String, Object> details) {
        return new TreeMap<>(details);
    }

    static String ids(List<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /**
     * A syslog header field (RFC 5424 section 6: HOSTNAME, APP-NAME, PROCID, MSGID are 1*n
     * PRINTUSASCII, 33 to 126): anything else becomes {@code _}, the field is cut at {@code max},
     * and an empty one is the NILVALUE {@code -}.
     */
    static String headerField(String s, int max) {
        s = nz(s);
        if (s.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c >= 33 && c <= 126 ? c : '_');
        }
        return b.toString();
    }

    /**
     * RFC 5424 section 6.3.3: inside a PARAM-VALUE, {@code "}, {@code \} and {@code ]} must be
     * escaped with a backslash; everything else is UTF-8 as is, except what {@link #breaksLine}.
     */
    static String sdValue(String s) {
        s = nz(s);
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c == ']') {
                b.append('\\').append(c);
            } else {
                b.append(breaksLine(c) ? ' ' : c);
            }
        }
        return b.toString();
    }

    /** RFC 5424 SD-NAME: 1 to 32 PRINTUSASCII except {@code =}, space, {@code ]} and {@code "}. */
    static boolean isSdName(String s) {
        if (s == null || s.isEmpty() || s.length() > 32) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 33 || c > 126 || c == '=' || c == ']' || c == '"') {
                return false;
            }
        }
        return true;
    }

    /**
     * A CEF header field: {@code \} and {@code |} are backslash-escaped (the header is split on
     * unescaped pipes); a header field has no escape for a newline, so line breaks become spaces.
     */
    static String cefHeader(String s) {
        return pipeEscaped(s);
    }

    /**
     * A CEF extension value: {@code \}, {@code =}, newline and carriage return are escaped as
     * {@code \\}, {@code \=}, {@code \n} and {@code \r}; a pipe is not (the extension is not split
     * on pipes, and {@code \|} would reach the receiver as two characters). Other control
     * characters have no CEF escape and become spaces.
     */
    static String cefValue(String s) {
        s = nz(s);
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '=' -> b.append("\\=");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(breaksLine(c) ? ' ' : c);
            }
        }
        return b.toString();
    }

    /**
     * A LEEF header field. LEEF defines no escape for its header, but a bare pipe would shift
     * every field after it; {@code \|} and {@code \\} are CEF's header escapes, which LEEF
     * parsers that split the header on unescaped pipes accept. No Tiyi value needs them today
     * (vendor, product, version, event id), so this guards against odd versions or rule names.
     */
    static String leefHeader(String s) {
        return pipeEscaped(s);
    }

    /**
     * A LEEF attribute value. LEEF 2.0 defines no escape sequence at all: IBM's guide only says
     * to keep the delimiter out of keys and values. So the tab (our delimiter), carriage return,
     * line feed and other control characters become spaces, which loses nothing a reader of the
     * value needs. {@code =}, {@code \} and {@code |} are written as they are: a receiver splits
     * the attributes on the delimiter and each one at its first {@code =} (keys never hold one),
     * so a value such as {@code /search?q=a=b} is unambiguous, while an escape like {@code \=}
     * would reach QRadar's normalised fields (url) as two literal characters.
     */
    static String leefValue(String s) {
        return oneLine(s);
    }

    private static String pipeEscaped(String s) {
        s = nz(s);
        StringBuilder b = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '|') {
                b.append('\\').append(c);
            } else {
                b.append(breaksLine(c) ? ' ' : c);
            }
        }
        return b.toString();
    }
}
