package io.tiyi.waf.body;

import io.tiyi.waf.variables.KeyValues;

/**
 * {@code application/x-www-form-urlencoded} (and query strings): {@code name=value} pairs split on
 * the argument separator, names and values URL-decoded ({@code +} is a space). Invalid
 * {@code %} sequences are kept as they are and reported.
 */
public final class UrlEncoded {
    private UrlEncoded() {}

    /** Adds the pairs of {@code s} to {@code into}; returns true when an invalid escape was seen. */
    public static boolean parse(String s, char separator, KeyValues into) {
        boolean invalid = false;
        int i = 0;
        int n = s.length();
        while (i <= n && n > 0) {
            int end = s.indexOf(separator, i);
            if (end < 0) {
                end = n;
            }
            if (end > i) {
                String pair = s.substring(i, end);
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                boolean[] bad = new boolean[1];
                String dn = decode(name, bad);
                String dv = decode(value, bad);
                invalid |= bad[0];
                into.add(dn, dv);
            }
            i = end + 1;
        }
        return invalid;
    }

    /** URL-decodes a byte string; {@code bad[0]} becomes true on an invalid escape. */
    public static String decode(String s, boolean[] bad) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                sb.append(' ');
            } else if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                sb.append((char) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2))));
                i += 2;
            } else {
                if (c == '%') {
                    bad[0] = true;
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
