package io.tiyi.waf.transforms;

import java.nio.charset.StandardCharsets;

/** Byte-level helpers shared by the transformations: values are byte strings, one char per byte. */
final class ByteChars {

    static final char[] HEX_LOWER = "0123456789abcdef".toCharArray();

    private ByteChars() {
    }

    /** {@code [0-9A-Fa-f]}. */
    static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** The value of a hex digit; the caller has checked {@link #isHex(char)}. */
    static int hexValue(char c) {
        if (c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }

    /** The byte written by two hex digits; the caller has checked both. */
    static char hexByte(char hi, char lo) {
        return (char) ((hexValue(hi) << 4) | hexValue(lo));
    }

    /** {@code [0-7]}. */
    static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    /** C's {@code isspace} in the "C" locale: space, \t, \n, \v, \f, \r. */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** {@link #isSpace(char)} or the Latin-1 non-breaking space 0xA0. */
    static boolean isSpaceOrNbsp(char c) {
        return isSpace(c) || c == 0xA0;
    }

    /**
     * A byte string from a byte array: each byte becomes one char 0..255. Used for binary results
     * (digests, base64 output).
     */
    static String fromBytes(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The bytes of a byte string (chars above 0xFF, which a byte string never holds, would become '?'). */
    static byte[] toBytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
