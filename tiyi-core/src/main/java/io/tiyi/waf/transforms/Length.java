package io.tiyi.waf.transforms;

/**
 * {@code t:length}: replaces the value with its length in bytes, in decimal.
 *
 * <p>Example: {@code t:length} turns {@code hello} into {@code 5}.
 *
 * <p>Edge cases: the empty string gives {@code 0}; a one-digit input that equals its own length
 * ({@code 1}) is returned as it is.
 */
final class Length implements Transformation {

    Length() {
    }

    @Override
    public String name() {
        return "length";
    }

    @Override
    public String apply(String input) {
        String length = Integer.toString(input.length());
        return length.equals(input) ? input : length;
    }
}
