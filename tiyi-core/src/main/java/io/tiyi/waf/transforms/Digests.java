package io.tiyi.waf.transforms;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The message digests of {@link Md5} and {@link Sha1}, which every Java runtime provides. */
final class Digests {

    private Digests() {
    }

    /** The binary digest of a byte string, as a byte string. */
    static String digest(String algorithm, String input) {
        MessageDigest digest;
        try {
            // MessageDigest is not thread-safe: one per call (getInstance is cheap for JDK providers).
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java runtime", e);
        }
        return ByteChars.fromBytes(digest.digest(ByteChars.toBytes(input)));
    }
}
