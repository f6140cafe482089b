package io.tiyi.waf.transforms;

/**
 * {@code t:trimRight}: removes whitespace at the end.
 *
 * <p>Example: {@code t:trimRight} turns {@code "  admin "} into {@code "  admin"}.
 *
 * <p>Whitespace is space, \t, \n, \v, \f and \r, as for {@link Trim}. Edge cases: leading
 * whitespace is kept; all-whitespace input gives the empty string.
 */
final class TrimRight implements Transformation {

    TrimRight() {
    }

    @Override
    public String name() {
        return "trimRight";
    }

    @Override
    public String apply(String input) {
        return Trim.trim(input, false, true);
    }
}
