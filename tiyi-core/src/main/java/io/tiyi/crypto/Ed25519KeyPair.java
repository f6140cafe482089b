package io.tiyi.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An ed25519 signing key pair (the bundle signing key), raw 32-byte encodings. */
public final class Ed25519KeyPair {
    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;

    private Ed25519KeyPair(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
    }

    public static Ed25519KeyPair generate() {
        return new Ed25519KeyPair(new Ed25519PrivateKeyParameters(new SecureRandom()));
    }

    /** Restores a key pair from its 32-byte private key. */
    public static Ed25519KeyPair fromPrivate(byte[] raw) {
        return new Ed25519KeyPair(new Ed25519PrivateKeyParameters(raw, 0));
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The raw private key, to be sealed with {@link Envelope} before it is stored. */
    public byte[] privateKeyBytes() {
        return privateKey.getEncoded();
    }

    public byte[] sign(byte[] message) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, privateKey);
        s.update(message, 0, message.length);
        return s.generateSignature();
    }

    /** Verifies a signature against a raw 32-byte public key. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            return false;
        }
        Ed25519Signer s = new Ed25519Signer();
        s.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        s.update(message, 0, message.length);
        return s.verifySignature(signature);
    }

    /** {@code ed25519:} and the first 16 hex digits of SHA-256 over the public key. */
    public static String fingerprint(byte[] publicKey) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(publicKey);
            return "ed25519:" + HexFormat.of().formatHex(Arrays.copyOf(d, 8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
