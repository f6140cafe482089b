package io.tiyi.waf.transforms;

/**
 * {@code t:parityEven7bit}: sets the 8th bit of each byte so that the byte has an even number of
 * 1 bits, the parity being computed over the 7 low bits.
 *
 * <p>Example: {@code t:parityEven7bit} turns {@code ABC} (41 42 43) into the bytes 41 42 C3.
 *
 * <p>Edge cases: the 8th bit of the input is ignored, so 0xC1 and 0x41 both give 0x41, as the
 * ModSecurity reference manual defines it (ModSecurity's code folds the input's 8th bit into the
 * parity, which differs for bytes from 0x80); the length never changes.
 */
final class ParityEven7bit implements Transformation {

    ParityEven7bit() {
    }

    @Override
    public String name() {
        return "parityEven7bit";
    }

    @Override
    public String apply(String input) {
        return Parity.apply(input, Parity.EVEN);
    }
}
