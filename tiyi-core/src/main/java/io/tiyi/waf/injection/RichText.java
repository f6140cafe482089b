package io.tiyi.waf.injection;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises the markup rich-text editors send (a review with a photo, a comment with a link, a
 * table), as an HTML sanitiser's allowlist would keep it: every {@code <} opens a well-formed tag
 * of a formatting element, every attribute is a presentational one, every URL is http(s), mailto,
 * relative or a fragment, and the text between tags holds nothing that reads as an attribute
 * assignment of an event handler, a style or a source. Anything else, including markup this
 * class cannot parse, is not rich text.
 */
public final class RichText {
    private static final Set<String> TAGS = Set.of("p", "br", "hr", "b", "strong", "i", "em", "u", "s", "strike", "del", "ins", "mark", "small",
            "sub", "sup", "span", "div", "blockquote", "q", "cite", "code", "pre", "kbd", "samp", "abbr", "h1", "h2", "h3", "h4", "h5", "h6",
            "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col", "a", "img",
            "figure", "figcaption", "picture", "wbr");
    private static final Set<String> ATTRIBUTES = Set.of("href", "src", "alt", "title", "width", "height", "class", "id", "colspan", "rowspan",
            "target", "rel", "lang", "dir", "align", "start", "type", "cite", "datetime", "loading", "decoding", "srcset", "sizes", "scope",
            "headers", "name");
    private static final Set<String> URL_ATTRIBUTES = Set.of("href", "src", "cite", "srcset");
    /** An attribute assignment in text, as the CRS's HTML injection pattern reads one. */
    private static final Pattern ASSIGNMENT = Pattern.compile("(?i)(?:^|[\\s\"'/])(?:on[a-z]+|formaction|lowsrc|background|ping|style|src)\\s*=");
    private static final Pattern SAFE_URL = Pattern.compile("(?i)(?:https?://|mailto:|/|#|\\./|\\.\\./)[^\\s]*|[a-z0-9._~%!$&()*+,;=@-][^:\\s]*");

    private RichText() {}

    /** Whether {@code s} holds markup, all of it allowed rich text. */
    public static boolean isRichText(String s) {
        int n = s.length();
        int i = 0;
        boolean tags = false;
        StringBuilder text = new StringBuilder();
        while (i < n) {
            int lt = s.indexOf('<', i);
            text.append(s, i, lt < 0 ? n : lt);
            if (lt < 0) {
                break;
            }
            int end = tag(s, lt);
            if (end < 0) {
                return false;
            }
            tags = true;
            text.append(' ');
            i = end;
        }
        return tags && !ASSIGNMENT.matcher(text).find();
    }

    /** Parses an allowed tag at {@code lt}; the index after it, or -1. */
    private static int tag(String s, int lt) {
        int n = s.length();
        int i = lt + 1;
        boolean closing = i < n && s.charAt(i) == '/';
        if (closing) {
            i++;
        }
        int nameStart = i;
        while (i < n && Character.isLetterOrDigit(s.charAt(i)) && s.charAt(i) < 128) {
            i++;
        }
        if (i == nameStart || !TAGS.contains(s.substring(nameStart, i).toLowerCase(Locale.ROOT))) {
            return -1;
        }
        while (true) {
            int ws = i;
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
                i++;
            }
            if (i >= n) {
                return -1;
            }
            char c = s.charAt(i);
            if (c == '>') {
                return i + 1;
            }
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '>') {
                return i + 2;
            }
            if (closing || i == ws) {
                return -1;
            }
            int an = i;
            while (i < n && (Character.isLetter(s.charAt(i)) && s.charAt(i) < 128 || s.charAt(i) == '-')) {
                i++;
            }
            String attribute = s.substring(an, i).toLowerCase(Locale.ROOT);
            if (!ATTRIBUTES.contains(attribute)) {
                return -1;
            }
            String value = "";
            if (i < n && s.charAt(i) == '=') {
                i++;
                if (i >= n) {
                    return -1;
                }
                char q = s.charAt(i);
                if (q == '"' || q == '\'') {
                    int close = s.indexOf(q, i + 1);
                    if (close < 0) {
                        return -1;
                    }
                    value = s.substring(i + 1, close);
                    i = close + 1;
                } else {
                    int vs = i;
                    while (i < n && " \t\n\r>\"'=<`".indexOf(s.charAt(i)) < 0) {
                        i++;
                    }
                    value = s.substring(vs, i);
                }
            }
            if (value.indexOf('<') >= 0 || URL_ATTRIBUTES.contains(attribute) && !value.isEmpty() && !SAFE_URL.matcher(value.strip()).matches()) {
                return -1;
            }
        }
    }
}
