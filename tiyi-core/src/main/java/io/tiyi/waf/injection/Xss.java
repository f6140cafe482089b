package io.tiyi.waf.injection;

/** XSS detection equivalent to libinjection's xss: HTML5 tokenizing in five contexts and a blacklist of tags, attributes and URL schemes. */
public final class Xss {

    /** The contexts tried, in libinjection's order: between tags, then inside each kind of attribute value. */
    private static final Html5Context[] CONTEXTS = Html5Context.values();

    private Xss() {}

    /**
     * Whether {@code input} carries HTML that runs script in at least one of the places a parameter may be echoed:
     * between tags, or inside an unquoted, single-, double- or back-quoted attribute value (libinjection's
     * {@code libinjection_xss}, the operator {@code @detectXSS}).
     *
     * <p>It flags: a doctype; a blacklisted tag (script, style, iframe, object, embed, link, meta, base, svg*, xsl*,
     * ...); an event handler attribute ({@code on} followed by a DOM event name); xmlns*, xlink*, style, filter,
     * datasrc and dataformatas attributes with a value; a URL attribute (href, src, action, formaction, ...) whose
     * value, entities decoded, starts with javascript, vbscript, data or view-source; an SVG attributeName naming a
     * blacklisted attribute; comments with a backtick or starting with {@code [if}, {@code xml}, {@code import} or
     * {@code entity}.
     *
     * <p>input is a byte string: each char is one byte 0..255 (ISO-8859-1 decoded). Thread-safe.
     */
    public static boolean detect(String input) {
        Html5Tokenizer tokenizer = new Html5Tokenizer(input, Html5Context.DATA_STATE);
        for (Html5Context context : CONTEXTS) {
            tokenizer.reset(context);
            if (isXss(input, tokenizer)) {
                return true;
            }
        }
        return false;
    }

    /** libinjection's {@code libinjection_is_xss}: the tokens of one context, judged one by one. */
    private static boolean isXss(String s, Html5Tokenizer tokens) {
        XssAttributeType attribute = XssAttributeType.NONE;
        while (tokens.next()) {
            int start = tokens.tokenStart();
            int length = tokens.tokenLength();
            switch (tokens.tokenType()) {
                case DOCTYPE:
                    return true;
                case TAG_NAME_OPEN:
                    if (XssBlacklist.isBlackTag(s, start, length)) {
                        return true;
                    }
                    attribute = XssAttributeType.NONE;
                    break;
                case ATTR_NAME:
                    attribute = XssBlacklist.attributeType(s, start, length);
                    break;
                case ATTR_VALUE:
                    if (isBlackValue(attribute, s, start, length)) {
                        return true;
                    }
                    attribute = XssAttributeType.NONE;
                    break;
                case TAG_COMMENT:
                    if (isBlackComment(s, start, length)) {
                        return true;
                    }
                    attribute = XssAttributeType.NONE;
                    break;
                default:
                    attribute = XssAttributeType.NONE;
                    break;
            }
        }
        return false;
    }

    /** The value of an attribute of the given type. */
    private static boolean isBlackValue(XssAttributeType attribute, String s, int start, int length) {
        switch (attribute) {
            case BLACK:
            case STYLE:
                return true;
            case URL:
                return XssUrl.isBlackUrl(s, start, length);
            case INDIRECT:
                // the value names an attribute: any blacklisted one, whatever its type
                return XssBlacklist.attributeType(s, start, length) != XssAttributeType.NONE;
            case NONE:
            default:
                return false;
        }
    }

    /** A comment that old IE parses as markup, or an XML entity definition. */
    private static boolean isBlackComment(String s, int start, int length) {
        int end = start + length;
        // IE takes a backtick as the end of a tag
        for (int i = start; i < end; i++) {
            if (s.charAt(i) == '`') {
                return true;
            }
        }
        if (length > 3) {
            char c0 = s.charAt(start);
            char c1 = (char) (s.charAt(start + 1) | 0x20);
            char c2 = (char) (s.charAt(start + 2) | 0x20);
            // IE conditional comment <!--[if ...]>, and <?xml ...>
            if ((c0 == '[' && c1 == 'i' && c2 == 'f') || ((c0 | 0x20) == 'x' && c1 == 'm' && c2 == 'l')) {
                return true;
            }
        }
        // IE's <?import ...> pseudo-tag, XML <!ENTITY ...>
        return length > 5
                && (XssBlacklist.equalsIgnoringNulls("IMPORT", s, start, 6)
                        || XssBlacklist.equalsIgnoringNulls("ENTITY", s, start, 6));
    }
}
