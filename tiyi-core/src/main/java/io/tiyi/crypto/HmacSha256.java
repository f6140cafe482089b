package io.tiyi.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256: keys derived for one purpose, and the values such keys authenticate. */
public final class HmacSha256 {
    private static final String ALGORITHM = "HmacSHA256";

    private HmacSha256() {}

    /** The 32-byte MAC of {@code message} under {@code key}. */
    public static byte[] of(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** The MAC of {@code message} as UTF-8. */
    public static byte[] of(byte[] key, String message) {
        return of(key, message.getBytes(StandardCharsets.UTF_8));
    }
}
