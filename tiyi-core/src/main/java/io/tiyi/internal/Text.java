package io.tiyi.internal;

import io.tiyi.TiyiException;
import java.util.List;
import java.util.Locale;

/**
 * The one check every stored name, path, address and header value passes: no character that
 * changes how text is displayed rather than what it says.
 *
 * <p>Refused: C0 controls (NUL to U+001F, including TAB, CR, LF and ESC), DEL, C1 controls
 * (U+0080 to U+009F, which some terminals read as ESC sequences), the line and paragraph
 * separators U+2028 and U+2029, and the bidirectional controls (U+061C, U+200E, U+200F, U+202A
 * to U+202E, U+2066 to U+2069) that make a name display in another order than it compares. Such
 * a value, printed to an operator's terminal or a log line, could move the cursor, recolour or
 * rewrite what is shown, or forge a line; no site name, host, path or tag needs one.
 *
 * <p>Values are checked as they arrive, before any trimming, so that what is refused is what
 * the caller sent. Stored data is never checked again: a mutation logged before a rule existed
 * still replays.
 */
public final class Text {
    private Text() {}

    /**
     * Returns {@code value} unchanged (null included) when it holds none of the refused characters.
     *
     * @param field the API field, as the message names it ({@code path_prefix}, {@code hosts[2]})
     * @throws TiyiException invalid argument naming the field, the character as {@code U+XXXX} and
     *     its position (counted from 1)
     */
    public static String requirePlain(String field, String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String kind = kind(c);
            if (kind != null) {
                throw TiyiException.invalid(field + " contains " + kind + " (" + codePoint(c) + ") at position " + (i + 1));
            }
        }
        return value;
    }

    /**
     * Checks every element of a list; the message names the element as {@code field[index]},
     * counted from 0 as in the request's JSON array.
     */
    public static List<String> requirePlain(String field, List<String> values) {
        if (values != null) {
            for (int i = 0; i < values.size(); i++) {
                requirePlain(field + "[" + i + "]", values.get(i));
            }
        }
        return values;
    }

    /** Whether {@code value} holds none of the refused characters. */
    public static boolean isPlain(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (kind(value.charAt(i)) != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code s} with every refused character written as an escape ({@code \n}, {@code \r},
     * {@code \t}, {@code \e}, {@code \xHH}, {@code \}{@code uHHHH}), for messages and log lines
     * that quote a value a caller sent. Null is {@code null}.
     */
    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String e = kind(c) == null ? null : escapeOf(c);
            if (e != null && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                sb.append(e != null ? e : String.valueOf(c));
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static String escapeOf(char c) {
        return switch (c) {
            case '\r' -> "\\r";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case 0x1b -> "\\e";
            default -> c <= 0x9f ? String.format(Locale.ROOT, "\\x%02x", (int) c) : String.format(Locale.ROOT, "\\u%04x", (int) c);
        };
    }

    private static String codePoint(char c) {
        return String.format(Locale.ROOT, "U+%04X", (int) c);
    }

    /** What {@code c} is, as the message says it, or null when it is allowed. */
    private static String kind(char c) {
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
            return "a control character";
        }
        if (c == 0x2028 || c == 0x2029) {
            return "a line separator";
        }
        if (c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
            return "a bidirectional control character";
        }
        return null;
    }
}
