package io.tiyi.waf.transforms;

/**
 * {@code t:parityOdd7bit}: sets the 8th bit of each byte so that the byte has an odd number of 1
 * bits, the parity being computed over the 7 low bits.
 *
 * <p>Example: {@code t:parityOdd7bit} turns {@code ABC} (41 42 43) into the bytes C1 C2 43.
 *
 * <p>Edge cases: the 8th bit of the input is ignored, as for {@link ParityEven7bit}; the length
 * never changes.
 */
final class ParityOdd7bit implements Transformation {

    ParityOdd7bit() {
    }

    @Override
    public String name() {
        return "parityOdd7bit";
    }

    @Override
    public String apply(String input) {
        return Parity.apply(input, Parity.ODD);
    }
}
