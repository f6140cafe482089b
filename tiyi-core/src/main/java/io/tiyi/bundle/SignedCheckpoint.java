package io.tiyi.bundle;

import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * A {@link Checkpoint} as it travels with bundle polls, sits in an agent's state directory and
 * comes back in its reports: the exact bytes signed with the bundle signing key, the signature
 * and the signer's public key (compared with a pin, never trusted as sent).
 *
 * @param payload the checkpoint's JSON, as signed
 * @param signature ed25519 signature over {@code payload}
 * @param signingKey the signer's raw public key
 */
public record SignedCheckpoint(byte[] payload, byte[] signature, byte[] signingKey) {
    /** Signs a checkpoint. */
    public static SignedCheckpoint sign(Checkpoint c, Ed25519KeyPair key) {
        byte[] payload = Json.write(c).getBytes(StandardCharsets.UTF_8);
        return new SignedCheckpoint(payload, key.sign(payload), key.publicKey());
    }

    /**
     * The checkpoint, when it was signed by {@code trustedKey} and the signature verifies.
     *
     * @return empty for another signer, a bad signature or an unreadable payload
     */
    public Optional<Checkpoint> open(byte[] trustedKey) {
        if (payload == null || signature == null || signingKey == null || !Arrays.equals(signingKey, trustedKey)
                || !Ed25519KeyPair.verify(trustedKey, payload, signature)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(Json.MAPPER.readValue(payload, Checkpoint.class));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The fingerprint of the key it claims to be signed with, for messages. */
    public String signer() {
        return signingKey == null || signingKey.length != 32 ? "an unknown key" : Ed25519KeyPair.fingerprint(signingKey);
    }
}
