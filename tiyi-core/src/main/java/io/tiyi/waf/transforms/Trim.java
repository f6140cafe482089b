package io.tiyi.waf.transforms;

/**
 * {@code t:trim}: removes whitespace at both ends.
 *
 * <p>Example: {@code t:trim} turns {@code " \t admin \n"} into {@code admin}.
 *
 * <p>Whitespace is space, \t, \n, \v, \f and \r (C's {@code isspace}, as ModSecurity uses; NUL and
 * 0xA0 are not trimmed). Edge cases: whitespace inside is kept; all-whitespace input gives the empty
 * string.
 */
final class Trim implements Transformation {

    Trim() {
    }

    @Override
    public String name() {
        return "trim";
    }

    @Override
    public String apply(String input) {
        return trim(input, true, true);
    }

    /** Trims the chosen ends; returns {@code input} itself when there is nothing to trim. */
    static String trim(String input, boolean left, boolean right) {
        int from = 0;
        int to = input.length();
        if (left) {
            while (from < to && ByteChars.isSpace(input.charAt(from))) {
                from++;
            }
        }
        if (right) {
            while (to > from && ByteChars.isSpace(input.charAt(to - 1))) {
                to--;
            }
        }
        return from == 0 && to == input.length() ? input : input.substring(from, to);
    }
}
