package io.tiyi.waf.transforms;

/** The byte tables of the three parity transformations. */
final class Parity {

    /** Each byte with its 8th bit set for even parity of the 7 low bits. */
    static final char[] EVEN = new char[256];
    /** Each byte with its 8th bit set for odd parity of the 7 low bits. */
    static final char[] ODD = new char[256];
    /** Each byte with its 8th bit cleared. */
    static final char[] ZERO = new char[256];

    static {
        for (int b = 0; b < 256; b++) {
            int low = b & 0x7F;
            boolean oddOnes = (Integer.bitCount(low) & 1) == 1;
            EVEN[b] = (char) (oddOnes ? low | 0x80 : low);
            ODD[b] = (char) (oddOnes ? low : low | 0x80);
            ZERO[b] = (char) low;
        }
    }

    private Parity() {
    }

    /** Maps every byte through {@code table}; returns {@code input} itself when no byte changes. */
    static String apply(String input, char[] table) {
        int n = input.length();
        int i = 0;
        while (i < n && table[input.charAt(i) & 0xFF] == input.charAt(i)) {
            i++;
        }
        if (i == n) {
            return input;
        }
        char[] out = input.toCharArray();
        for (; i < n; i++) {
            out[i] = table[out[i] & 0xFF];
        }
        return new String(out);
    }
}
