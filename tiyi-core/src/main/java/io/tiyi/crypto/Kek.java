package io.tiyi.crypto;

import io.tiyi.TiyiException;
import io.tiyi.internal.LogMarkers;
import io.tiyi.internal.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The at-rest key encryption key: 32 random bytes that wrap every per-blob data key. The key
 * itself never leaves this class except into a cipher; what is shown and stored is its
 * {@link #fingerprint() fingerprint}.
 */
public final class Kek {
    /** KEK length in bytes. */
    public static final int LENGTH = 32;

    private static final Logger LOG = LoggerFactory.getLogger(Kek.class);
    private static final byte[] FINGERPRINT_LABEL = "tiyi-kek-fingerprint-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final byte[] key;
    private final String fingerprint;
    private final Path file;

    private Kek(byte[] key, Path file) {
        this.key = key;
        this.file = file;
        this.fingerprint = fingerprintOf(key);
    }

    /** The fallback KEK file name inside the state directory. */
    public static final String FALLBACK_FILE = "kek.bin";

    /**
     * Picks the KEK a node runs with and checks it against the one state.db was written with.
     * Nothing is written unless a fallback KEK has to be generated for a state.db that holds no
     * secrets yet.
     *
     * @param configured {@code crypto.kek_file}, if set
     * @param stateDir the state directory (home of the fallback {@code kek.bin})
     * @param stored the fingerprint recorded in state.db, empty for a new database
     * @throws TiyiException when the file is wrong, missing for an existing database, or does not match
     */
    public static Kek resolve(java.util.Optional<Path> configured, Path stateDir, java.util.Optional<String> stored) {
        Kek kek;
        if (configured.isPresent()) {
            kek = load(configured.get());
            LOG.info("crypto: KEK loaded from {} ({})", configured.get(), kek.fingerprint());
        } else {
            Path fallback = stateDir.resolve(FALLBACK_FILE);
            if (Files.exists(fallback)) {
                kek = load(fallback);
                LOG.info("crypto: KEK loaded from {} ({})", fallback, kek.fingerprint());
            } else if (stored.isPresent()) {
                throw new TiyiException("state.db in " + stateDir + " was written with KEK " + stored.get() + " but "
                        + fallback + " is missing; restore it from backup or set crypto.kek_file to it");
            } else {
                kek = generate(fallback);
                LOG.info("crypto: generated KEK {} ({})", fallback, kek.fingerprint());
            }
            LOG.warn(LogMarkers.SETUP, "KEK falls back to {}: set crypto.kek_file to a backed-up 32-byte file for production; "
                    + "losing this file loses every encrypted secret", fallback);
        }
        if (stored.isPresent() && !stored.get().equals(kek.fingerprint())) {
            throw new TiyiException("KEK does not match: state.db in " + stateDir + " was written with KEK " + stored.get()
                    + " but the configured KEK " + (kek.file() == null ? "" : kek.file() + " ") + "is " + kek.fingerprint()
                    + "; point crypto.kek_file at the original key (nothing was changed)");
        }
        return kek;
    }

    /** A KEK from raw bytes, for tests and embedders that keep the key elsewhere. */
    public static Kek of(byte[] key) {
        if (key.length != LENGTH) {
            throw new IllegalArgumentException("a KEK is " + LENGTH + " bytes, got " + key.length);
        }
        return new Kek(key.clone(), null);
    }

    /**
     * Reads a KEK file. Warns when group or others can read it.
     *
     * @throws TiyiException naming the file when it is missing, unreadable or not 32 bytes
     */
    public static Kek load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TiyiException("KEK file " + file + " does not exist; create it with: install -m 0600 /dev/null "
                    + file + " && head -c 32 /dev/urandom > " + file);
        } catch (IOException e) {
            throw new TiyiException("KEK file " + file + " cannot be read: " + e.getMessage());
        }
        if (bytes.length != LENGTH) {
            int n = bytes.length;
            Arrays.fill(bytes, (byte) 0);
            throw new TiyiException("KEK file " + file + " holds " + n + " bytes, a KEK must be exactly " + LENGTH
                    + " (head -c 32 /dev/urandom > " + file + ")");
        }
        warnIfExposed(file);
        return new Kek(bytes, file);
    }

    /** Generates a fresh KEK into {@code file} with mode 0600; the file must not exist yet. */
    public static Kek generate(Path file) {
        byte[] key = new byte[LENGTH];
        new SecureRandom().nextBytes(key);
        try {
            PrivateFiles.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = PrivateFiles.newFileChannel(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(key));
                ch.force(true);
            }
        } catch (IOException e) {
            throw new TiyiException("cannot create KEK file " + file + ": " + e.getMessage());
        }
        return new Kek(key, file);
    }

    private static void warnIfExposed(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("KEK file {} is readable by group or others (mode {}); restrict it: chmod 0600 {}",
                        file, PosixFilePermissions.toString(perms), file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Non-POSIX file systems carry no mode to check.
        }
    }

    /** A short, stable identifier of this key, safe to show and store: {@code sha256:} and 16 hex digits. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The file the key came from, or null when it was given as bytes. */
    public Path file() {
        return file;
    }

    static String fingerprintOf(byte[] key) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(FINGERPRINT_LABEL);
            md.update(key);
            return "sha256:" + HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] keyBytes() {
        return key;
    }

    /**
     * A key for one purpose, derived from this KEK as HMAC-SHA256(KEK, {@code label}): whoever
     * holds the derived key learns nothing of the KEK or of keys derived for other labels.
     *
     * @param label names the purpose and its version, for example {@code tiyi-audit-chain-v2}
     * @return 32 fresh bytes; the caller may wipe them
     */
    public byte[] derive(String label) {
        return HmacSha256.of(key, label);
    }

    @Override
    public String toString() {
        return "Kek[" + fingerprint + "]";
    }
}
