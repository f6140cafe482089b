package io.tiyi.waf.transforms;

/**
 * {@code t:md5}: replaces the value with its MD5 digest, 16 raw bytes (not hex).
 *
 * <p>Example: {@code t:md5,t:hexEncode} turns {@code abc} into
 * {@code 900150983cd24fb0d6963f7d28e17f72}.
 *
 * <p>Edge cases: the empty string gives the digest of nothing ({@code d41d8cd9...} in hex); the
 * result is always 16 bytes and may contain any byte, NUL included.
 */
final class Md5 implements Transformation {

    Md5() {
    }

    @Override
    public String name() {
        return "md5";
    }

    @Override
    public String apply(String input) {
        return Digests.digest("MD5", input);
    }
}
