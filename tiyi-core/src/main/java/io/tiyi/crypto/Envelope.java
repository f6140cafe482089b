package io.tiyi.crypto;

import io.tiyi.TiyiException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of secrets at rest.
 *
 * <p>Each blob gets its own random 256-bit data key (DEK). The DEK encrypts the secret with
 * AES-256-GCM; the KEK wraps the DEK with AES-256-GCM. Both encryptions bind the same
 * associated data, which names the owning table and row ({@code table/row}), so a ciphertext
 * copied into another row does not decrypt. Layout, version 1:
 *
 * <pre>
 *   magic "TYE" | version (1) | fingerprint length (1) | KEK fingerprint (ASCII)
 *   | wrap nonce (12) | wrapped DEK (32 + 16 tag) | data nonce (12) | ciphertext + 16 tag
 * </pre>
 *
 * The fingerprint lets a wrong KEK be named instead of failing as a bare authentication error.
 */
public final class Envelope {
    private static final byte[] MAGIC = {'T', 'Y', 'E'};
    private static final byte VERSION = 1;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final int DEK = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Kek kek;

    public Envelope(Kek kek) {
        this.kek = kek;
    }

    /** The associated data that binds a blob to its owner: {@code table/row}. */
    public static String owner(String table, String row) {
        return table + "/" + row;
    }

    /** Encrypts {@code plaintext} for the given owner. */
    public byte[] seal(String owner, byte[] plaintext) {
        byte[] dek = new byte[DEK];
        RANDOM.nextBytes(dek);
        byte[] aad = aad(owner);
        try {
            byte[] wrapNonce = nonce();
            byte[] wrapped = gcm(Cipher.ENCRYPT_MODE, kek.keyBytes(), wrapNonce, aad, dek);
            byte[] dataNonce = nonce();
            byte[] ct = gcm(Cipher.ENCRYPT_MODE, dek, dataNonce, aad, plaintext);
            byte[] fp = kek.fingerprint().getBytes(StandardCharsets.US_ASCII);
            ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + fp.length + NONCE + wrapped.length + NONCE + ct.length);
            out.put(MAGIC).put(VERSION).put((byte) fp.length).put(fp)
                    .put(wrapNonce).put(wrapped).put(dataNonce).put(ct);
            return out.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }

    /**
     * Decrypts a blob sealed for {@code owner}.
     *
     * @throws TiyiException when the blob is malformed, was sealed with another KEK (both
     *     fingerprints named), or belongs to another owner or was altered
     */
    public byte[] open(String owner, byte[] blob) {
        ByteBuffer in = ByteBuffer.wrap(blob);
        try {
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new TiyiException("secret " + owner + " is not an encrypted blob");
            }
            byte version = in.get();
            if (version != VERSION) {
                throw new TiyiException("secret " + owner + " uses envelope format " + version
                        + ", this build reads format " + VERSION);
            }
            byte[] fp = new byte[in.get() & 0xff];
            in.get(fp);
            String blobFp = new String(fp, StandardCharsets.US_ASCII);
            if (!blobFp.equals(kek.fingerprint())) {
                throw new TiyiException("secret " + owner + " was encrypted with KEK " + blobFp
                        + " but the configured KEK is " + kek.fingerprint() + "; restore the matching crypto.kek_file");
            }
            byte[] wrapNonce = new byte[NONCE];
            in.get(wrapNonce);
            byte[] wrapped = new byte[DEK + TAG_BITS / 8];
            in.get(wrapped);
            byte[] dataNonce = new byte[NONCE];
            in.get(dataNonce);
            byte[] ct = new byte[in.remaining()];
            in.get(ct);
            byte[] aad = aad(owner);
            byte[] dek = gcm(Cipher.DECRYPT_MODE, kek.keyBytes(), wrapNonce, aad, wrapped);
            try {
                return gcm(Cipher.DECRYPT_MODE, dek, dataNonce, aad, ct);
            } finally {
                Arrays.fill(dek, (byte) 0);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new TiyiException("secret " + owner + " is truncated");
        } catch (javax.crypto.AEADBadTagException e) {
            throw new TiyiException("secret " + owner + " does not authenticate: it was altered or belongs to another row");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private static byte[] aad(String owner) {
        return ("tiyi-envelope-v1|" + owner).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] nonce() {
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        return n;
    }

    private static byte[] gcm(int mode, byte[] key, byte[] nonce, byte[] aad, byte[] data) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        c.updateAAD(aad);
        return c.doFinal(data);
    }
}
