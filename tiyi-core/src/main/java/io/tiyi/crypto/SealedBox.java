package io.tiyi.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * Seals a secret to one recipient's X25519 public key, so that only the holder of the private
 * key opens it: an ephemeral X25519 key agreement, HKDF-SHA256 over the shared secret and both
 * public keys, then AES-256-GCM with associated data that binds the box to its purpose (an
 * agent id and a certificate name, say), so a box cannot be moved to another use.
 *
 * <p>Layout: version byte (1), ephemeral public key (32), nonce (12), ciphertext with tag.
 */
public final class SealedBox {
    private static final byte VERSION = 1;
    private static final int KEY = 32;
    private static final int NONCE = 12;
    private static final byte[] INFO = "tiyi sealed box v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SealedBox() {}

    /** A new X25519 key pair: {@code [0]} private, {@code [1]} public, 32 bytes each. */
    public static byte[][] generateKeyPair() {
        X25519PrivateKeyParameters priv = new X25519PrivateKeyParameters(RANDOM);
        return new byte[][] {priv.getEncoded(), priv.generatePublicKey().getEncoded()};
    }

    /** The public key of a private key. */
    public static byte[] publicKeyOf(byte[] privateKey) {
        return new X25519PrivateKeyParameters(check(privateKey, "private"), 0).generatePublicKey().getEncoded();
    }

    public static byte[] seal(byte[] recipientPublicKey, byte[] plaintext, byte[] associatedData) {
        X25519PrivateKeyParameters eph = new X25519PrivateKeyParameters(RANDOM);
        byte[] ephPub = eph.generatePublicKey().getEncoded();
        byte[] shared = new byte[KEY];
        eph.generateSecret(new X25519PublicKeyParameters(check(recipientPublicKey, "recipient public"), 0), shared, 0);
        byte[] key = derive(shared, ephPub, recipientPublicKey);
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        byte[] ct = aes(Cipher.ENCRYPT_MODE, key, nonce, associatedData, plaintext);
        return ByteBuffer.allocate(1 + KEY + NONCE + ct.length).put(VERSION).put(ephPub).put(nonce).put(ct).array();
    }

    /**
     * Opens a box sealed to the public key of {@code recipientPrivateKey}.
     *
     * @throws GeneralSecurityException when it was sealed to another key, altered, or bound to other associated data
     */
    public static byte[] open(byte[] recipientPrivateKey, byte[] box, byte[] associatedData) throws GeneralSecurityException {
        if (box.length < 1 + KEY + NONCE + 16 || box[0] != VERSION) {
            throw new GeneralSecurityException("not a sealed box of version " + VERSION);
        }
        byte[] ephPub = Arrays.copyOfRange(box, 1, 1 + KEY);
        byte[] nonce = Arrays.copyOfRange(box, 1 + KEY, 1 + KEY + NONCE);
        byte[] ct = Arrays.copyOfRange(box, 1 + KEY + NONCE, box.length);
        X25519PrivateKeyParameters priv = new X25519PrivateKeyParameters(check(recipientPrivateKey, "private"), 0);
        byte[] shared = new byte[KEY];
        priv.generateSecret(new X25519PublicKeyParameters(ephPub, 0), shared, 0);
        byte[] key = derive(shared, ephPub, priv.generatePublicKey().getEncoded());
        try {
            return aes(Cipher.DECRYPT_MODE, key, nonce, associatedData, ct);
        } catch (IllegalStateException e) {
            throw new GeneralSecurityException("sealed box does not open: wrong key, altered, or sealed for another purpose");
        }
    }

    private static byte[] check(byte[] key, String what) {
        if (key == null || key.length != KEY) {
            throw new IllegalArgumentException("X25519 " + what + " key must be 32 bytes");
        }
        return key;
    }

    private static byte[] derive(byte[] shared, byte[] ephPub, byte[] recipientPub) {
        byte[] salt = ByteBuffer.allocate(2 * KEY).put(ephPub).put(recipientPub).array();
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(shared, salt, INFO));
        byte[] key = new byte[KEY];
        hkdf.generateBytes(key, 0, KEY);
        Arrays.fill(shared, (byte) 0);
        return key;
    }

    private static byte[] aes(int mode, byte[] key, byte[] nonce, byte[] aad, byte[] in) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad);
            return c.doFinal(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }
}
