package io.tiyi.waf.body;

import io.tiyi.waf.operators.ValidateUrlEncoding;
import io.tiyi.waf.transforms.Transformation;
import io.tiyi.waf.transforms.Transformations;
import io.tiyi.waf.variables.KeyValues;

/**
 * {@code application/x-www-form-urlencoded} (and query strings): {@code name=value} pairs split on
 * the argument separator, names and values URL-decoded ({@code +} is a space). Invalid
 * {@code %} sequences are kept as they are and reported. Parsing stops at the argument limit.
 */
public final class UrlEncoded {
    private static final Transformation URL_DECODE = Transformations.byName("urlDecode").orElseThrow();

    private UrlEncoded() {}

    /**
     * Adds the pairs of {@code s} to {@code into} until {@code limit} refuses one; returns true when
     * an invalid escape was seen.
     */
    public static boolean parse(String s, char separator, KeyValues into, ArgumentLimit limit) {
        boolean[] bad = new boolean[1];
        int i = 0;
        int n = s.length();
        while (i <= n && n > 0) {
            int end = s.indexOf(separator, i);
            if (end < 0) {
                end = n;
            }
            if (end > i) {
                // Name and value are cut from the input directly: no intermediate pair string.
                int eq = s.indexOf('=', i);
                String name = eq < 0 || eq >= end ? s.substring(i, end) : s.substring(i, eq);
                String value = eq < 0 || eq >= end ? "" : s.substring(eq + 1, end);
                String dn = decode(name, bad);
                String dv = decode(value, bad);
                if (!limit.add(into, dn, dv)) {
                    return bad[0];
                }
            }
            i = end + 1;
        }
        return bad[0];
    }

    /** URL-decodes a byte string as {@code t:urlDecode} does; {@code bad[0]} becomes true on an invalid escape. */
    public static String decode(String s, boolean[] bad) {
        if (s.indexOf('%') >= 0 && ValidateUrlEncoding.invalid(s)) {
            bad[0] = true;
        }
        return URL_DECODE.apply(s);
    }
}
