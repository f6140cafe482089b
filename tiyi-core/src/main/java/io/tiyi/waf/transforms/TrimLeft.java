package io.tiyi.waf.transforms;

/**
 * {@code t:trimLeft}: removes whitespace at the start.
 *
 * <p>Example: {@code t:trimLeft} turns {@code "  admin "} into {@code "admin "}.
 *
 * <p>Whitespace is space, \t, \n, \v, \f and \r, as for {@link Trim}. Edge cases: trailing
 * whitespace is kept; all-whitespace input gives the empty string.
 */
final class TrimLeft implements Transformation {

    TrimLeft() {
    }

    @Override
    public String name() {
        return "trimLeft";
    }

    @Override
    public String apply(String input) {
        return Trim.trim(input, true, false);
    }
}
