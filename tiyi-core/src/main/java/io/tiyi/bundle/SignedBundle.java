package io.tiyi.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.internal.Json;
import java.io.IOException;
import java.util.Arrays;

/**
 * A bundle as it travels and as an agent keeps it on disk: the exact bytes that were signed,
 * the ed25519 signature over them, and the public key of the signer (which the agent compares
 * with its pin; it never trusts the key it is sent).
 *
 * @param payload the bundle's JSON, as signed
 * @param signature ed25519 signature over {@code payload}
 * @param signingKey the signer's raw public key
 */
public record SignedBundle(byte[] payload, byte[] signature, byte[] signingKey) {
    /** Signs a bundle. */
    public static SignedBundle sign(Bundle bundle, Ed25519KeyPair key) {
        byte[] payload = Json.write(bundle).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new SignedBundle(payload, key.sign(payload), key.publicKey());
    }

    /** Why a bundle is refused. */
    public enum Refusal {
        /** The signature does not verify with the pinned key. */
        BAD_SIGNATURE,
        /** Signed by a key other than the pinned one. */
        OTHER_SIGNING_KEY,
        /** Older than the bundle in force. */
        LOWER_VERSION,
        /** From an epoch lower than one already seen. */
        LOWER_EPOCH,
        /** Compiled for another agent. */
        OTHER_AGENT,
        /** Not a bundle this agent can read. */
        MALFORMED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A refused bundle, with the reason and a message for the log. */
    public static final class RefusedException extends Exception {
        private final Refusal reason;

        public RefusedException(Refusal reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Refusal reason() {
            return reason;
        }
    }

    /** The version the payload claims, unverified: for the log and to poll past a refused bundle; {@code [0, 0]} when unreadable. */
    public long[] claimedVersion() {
        try {
            JsonNode n = Json.MAPPER.readTree(payload);
            return new long[] {n.path("epoch").asLong(), n.path("seq").asLong()};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /**
     * Verifies the signature with the pinned key and decodes the bundle.
     *
     * @throws RefusedException for another signer, a bad signature or an unreadable bundle
     */
    public Bundle open(byte[] pinnedKey) throws RefusedException {
        if (signingKey == null || !Arrays.equals(signingKey, pinnedKey)) {
            throw new RefusedException(Refusal.OTHER_SIGNING_KEY, "bundle is signed by "
                    + (signingKey == null || signingKey.length != 32 ? "an unknown key" : Ed25519KeyPair.fingerprint(signingKey))
                    + ", not by the pinned " + Ed25519KeyPair.fingerprint(pinnedKey)
                    + "; refusing to re-pin: if the signing key was rotated, re-enroll this agent with a new token");
        }
        if (payload == null || signature == null || !Ed25519KeyPair.verify(pinnedKey, payload, signature)) {
            throw new RefusedException(Refusal.BAD_SIGNATURE, "bundle signature does not verify with the pinned key "
                    + Ed25519KeyPair.fingerprint(pinnedKey) + "; it was altered on the way or on disk");
        }
        try {
            Bundle b = Json.MAPPER.readValue(payload, Bundle.class);
            if (b == null) {
                throw new RefusedException(Refusal.MALFORMED, "signed bundle is empty (JSON null)");
            }
            if (b.format() != Bundle.FORMAT) {
                throw new RefusedException(Refusal.MALFORMED, "bundle format " + b.format() + " is not " + Bundle.FORMAT
                        + "; upgrade this agent");
            }
            return b;
        } catch (IOException e) {
            throw new RefusedException(Refusal.MALFORMED, "signed bundle does not decode: " + e.getMessage());
        }
    }
}
