package io.tiyi.siem;

import java.util.Arrays;

/** Cutting UTF-8 bytes without splitting a character. */
final class Utf8 {
    private Utf8() {}

    /** The longest prefix of {@code b} no longer than {@code max} bytes that ends on a character boundary. */
    static byte[] cut(byte[] b, int max) {
        if (b.length <= max) {
            return b;
        }
        int end = max;
        // Step back over continuation bytes (10xxxxxx) to the start of the character cut in two.
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--;
        }
        return Arrays.copyOf(b, end);
    }
}
