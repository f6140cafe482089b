package io.tiyi.waf.transforms;

/**
 * {@code t:replaceNulls}: replaces every NUL byte (0x00) with a space.
 *
 * <p>Example: {@code t:replaceNulls} turns {@code a\0b} into {@code a b}.
 *
 * <p>Edge cases: the length never changes; input without NUL is returned unchanged.
 */
final class ReplaceNulls implements Transformation {

    ReplaceNulls() {
    }

    @Override
    public String name() {
        return "replaceNulls";
    }

    @Override
    public String apply(String input) {
        if (input.indexOf('\0') < 0) {
            return input;
        }
        return input.replace('\0', ' ');
    }
}
