package io.tiyi.waf.transforms;

/**
 * {@code t:parityZero7bit}: clears the 8th bit of each byte.
 *
 * <p>Example: {@code t:parityZero7bit} turns the bytes C1 42 C3 into {@code ABC}.
 *
 * <p>Edge cases: input with only 7-bit bytes is returned as it is; the length never changes.
 */
final class ParityZero7bit implements Transformation {

    ParityZero7bit() {
    }

    @Override
    public String name() {
        return "parityZero7bit";
    }

    @Override
    public String apply(String input) {
        return Parity.apply(input, Parity.ZERO);
    }
}
