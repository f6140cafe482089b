package io.tiyi.waf.body;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Content-Type header read as RFC 9110 section 8.3 has it: a media type, then {@code ;}-separated
 * {@code name=value} parameters whose values are tokens or quoted strings ({@code \} escapes the
 * next character). Every parameter is kept, repeated ones too: what a backend does with a repeated
 * or oddly written parameter is where parsers disagree, so the body processors judge it.
 */
public final class ContentType {
    /**
     * One parameter.
     *
     * @param name lower-cased
     * @param value unquoted and unescaped
     * @param quoted whether the value was a quoted string
     * @param spaced whether whitespace surrounded the {@code =} or ended an unquoted value
     * @param badQuoting a quoted string without its closing quote, or text after it
     */
    public record Parameter(String name, String value, boolean quoted, boolean spaced, boolean badQuoting) {}

    /** Text every charset a byte-oriented processor may read must encode as ASCII does. */
    private static final String ASCII_PROBE = "azAZ09 =&;%+-_.:/\"'\r\n";

    private final String mediaType;
    private final List<Parameter> parameters;

    private ContentType(String mediaType, List<Parameter> parameters) {
        this.mediaType = mediaType;
        this.parameters = List.copyOf(parameters);
    }

    /** Reads a header value; never fails, oddities are in the parameters' flags. */
    public static ContentType parse(String header) {
        int n = header.length();
        int semi = indexOfUnquoted(header, 0);
        String type = header.substring(0, semi).strip().toLowerCase(Locale.ROOT);
        List<Parameter> params = new ArrayList<>();
        int i = semi + 1;
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t' || header.charAt(i) == ';')) {
                i++;
            }
            int ks = i;
            while (i < n && header.charAt(i) != '=' && header.charAt(i) != ';') {
                i++;
            }
            if (i >= n || header.charAt(i) != '=') {
                if (ks < i) {
                    params.add(new Parameter(header.substring(ks, i).strip().toLowerCase(Locale.ROOT), "", false, false, true));
                }
                continue;
            }
            String rawName = header.substring(ks, i);
            boolean spaced = !rawName.equals(rawName.stripTrailing());
            i++;
            if (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
                spaced = true;
                while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
                    i++;
                }
            }
            StringBuilder value = new StringBuilder();
            boolean quoted = i < n && header.charAt(i) == '"';
            boolean bad = false;
            if (quoted) {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = header.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(header.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                int end = indexOfUnquoted(header, i);
                bad = !closed || !header.substring(i, end).isBlank();
                i = end;
            } else {
                int end = indexOfUnquoted(header, i);
                String v = header.substring(i, end);
                spaced |= !v.equals(v.stripTrailing());
                bad = v.indexOf('"') >= 0;
                value.append(v.stripTrailing());
                i = end;
            }
            params.add(new Parameter(rawName.strip().toLowerCase(Locale.ROOT), value.toString(), quoted, spaced, bad));
        }
        return new ContentType(type, params);
    }

    /** The media type, lower-cased, without parameters. */
    public String mediaType() {
        return mediaType;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    /** Every parameter called {@code name} (lower case), in order. */
    public List<Parameter> all(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).toList();
    }

    /**
     * Why a body of this type cannot be read as its backend would read it, judging by its
     * charset, or null. A JSON body must be UTF-8 (RFC 8259 section 8.1); the URL-encoded and
     * multipart processors read bytes, so any charset that encodes ASCII as ASCII will do, and
     * one that does not (UTF-16, EBCDIC) or that Java does not know (UTF-7) hides the payload
     * from them.
     */
    public String charsetProblem(boolean utf8Only) {
        List<Parameter> cs = all("charset");
        if (cs.isEmpty()) {
            return null;
        }
        if (cs.size() > 1) {
            return "Content-Type has " + cs.size() + " charset parameters";
        }
        String value = cs.get(0).value();
        // The name is the client's: shown, but never more than a charset name needs.
        String name = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        Charset charset;
        try {
            charset = Charset.forName(value.strip());
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return "unknown charset '" + name + "' in Content-Type";
        }
        if (utf8Only) {
            return charset.equals(StandardCharsets.UTF_8) ? null : "charset '" + name + "' in Content-Type: JSON is UTF-8 (RFC 8259 section 8.1)";
        }
        if (!charset.canEncode() || !java.util.Arrays.equals(ASCII_PROBE.getBytes(charset), ASCII_PROBE.getBytes(StandardCharsets.US_ASCII))) {
            return "charset '" + name + "' in Content-Type does not encode ASCII as ASCII; the body cannot be inspected";
        }
        return null;
    }

    private static int indexOfUnquoted(String s, int from) {
        boolean inQuotes = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inQuotes && c == '\\') {
                i++;
            } else if (c == '"') {
                inQuotes = !inQuotes;
            } else if (c == ';' && !inQuotes) {
                return i;
            }
        }
        return s.length();
    }
}
