package io.tiyi.waf.transforms;

/**
 * {@code t:sha1}: replaces the value with its SHA-1 digest, 20 raw bytes (not hex).
 *
 * <p>Example: {@code t:sha1,t:hexEncode} turns {@code abc} into
 * {@code a9993e364706816aba3e25717850c26c9cd0d89d}.
 *
 * <p>Edge cases: the empty string gives the digest of nothing ({@code da39a3ee...} in hex); the
 * result is always 20 bytes and may contain any byte, NUL included.
 */
final class Sha1 implements Transformation {

    Sha1() {
    }

    @Override
    public String name() {
        return "sha1";
    }

    @Override
    public String apply(String input) {
        return Digests.digest("SHA-1", input);
    }
}
