package io.tiyi.agent;

import io.tiyi.TiyiException;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.bundle.SignedCheckpoint;
import io.tiyi.internal.Json;
import io.tiyi.internal.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What an agent keeps in its state directory, each file written whole (temporary file, then an
 * atomic rename) and readable by its owner only: its identity ({@code agent.json}: id,
 * credential, private keys), the pinned signing key with the highest epoch seen
 * ({@code pin.json}), the last good bundle as signed ({@code bundle.json}, TLS keys still
 * sealed), the newest audit checkpoint it verified ({@code checkpoint.json}, as signed), the
 * control-plane endpoints it learned ({@code endpoints.json}: where to look for the primary after
 * a restart), and rule sets by hash ({@code rules/}).
 */
public final class AgentFiles {
    static final String IDENTITY = "agent.json";
    static final String PIN = "pin.json";
    static final String BUNDLE = "bundle.json";
    static final String CHECKPOINT = "checkpoint.json";
    static final String ENDPOINTS = "endpoints.json";

    private final Path dir;

    /**
     * An agent's identity.
     *
     * @param api the control plane it enrolled with
     * @param agentId its id
     * @param tag its tag
     * @param credential its API credential
     * @param x25519Private the key its secrets are sealed to
     * @param ed25519Private the key it proved its identity with at enrollment
     */
    public record Identity(String api, String agentId, String tag, String credential, byte[] x25519Private, byte[] ed25519Private) {
        @Override
        public String toString() {
            return "Identity[agent=" + agentId + ", tag=" + tag + ", api=" + api + "]";
        }
    }

    /**
     * The signing key pinned at enrollment and the highest epoch seen in a bundle it signed.
     *
     * @param signingKey raw ed25519 public key
     * @param fingerprint its fingerprint
     * @param highestEpoch highest epoch of an accepted bundle
     */
    public record Pin(byte[] signingKey, String fingerprint, long highestEpoch) {
        public Pin withEpoch(long epoch) {
            return new Pin(signingKey, fingerprint, Math.max(highestEpoch, epoch));
        }
    }

    public AgentFiles(Path dir) {
        this.dir = dir;
        try {
            PrivateFiles.createDirectories(dir);
            // Temporary files a crash left behind between writing and renaming; a fresh one may be another writer's.
            long old = System.currentTimeMillis() - 60_000;
            try (var leftovers = Files.newDirectoryStream(dir, ".*.tmp")) {
                for (Path p : leftovers) {
                    if (Files.getLastModifiedTime(p).toMillis() < old) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new TiyiException("cannot create the agent's state directory " + dir + ": " + e.getMessage());
        }
    }

    public Path dir() {
        return dir;
    }

    public Path rulesDir(String hash) {
        return dir.resolve("rules").resolve(hash.replace("sha256:", ""));
    }

    public Optional<Identity> identity() {
        return read(IDENTITY, Identity.class);
    }

    public void identity(Identity id) {
        write(IDENTITY, id);
    }

    public Optional<Pin> pin() {
        return read(PIN, Pin.class);
    }

    public void pin(Pin pin) {
        write(PIN, pin);
    }

    public Optional<SignedBundle> lastBundle() {
        return read(BUNDLE, SignedBundle.class);
    }

    public void lastBundle(SignedBundle b) {
        write(BUNDLE, b);
    }

    /** The newest audit checkpoint this agent verified, as signed. */
    public Optional<SignedCheckpoint> checkpoint() {
        return read(CHECKPOINT, SignedCheckpoint.class);
    }

    public void checkpoint(SignedCheckpoint c) {
        write(CHECKPOINT, c);
    }

    /** The control-plane endpoints this agent learned from bundles and answers; empty before the first. */
    public java.util.List<String> endpoints() {
        return read(ENDPOINTS, String[].class).map(java.util.List::of).orElse(java.util.List.of());
    }

    public void endpoints(java.util.List<String> urls) {
        write(ENDPOINTS, urls);
    }

    private <T> Optional<T> read(String name, Class<T> type) {
        Path f = dir.resolve(name);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(f.toFile(), type));
        } catch (IOException e) {
            throw new TiyiException(f + " is unreadable (" + e.getMessage() + "); restore it from a backup or re-enroll the agent"
                    + " into an empty --state-dir");
        }
    }

    /**
     * Writes through a temporary file of its own, renamed over the old one: two writers of the same
     * file (a role change and the agent's own follow-up, which may hold separate instances) each
     * rename a complete file, and the last one wins, instead of one losing its temporary file to
     * the other.
     */
    private void write(String name, Object value) {
        Path f = dir.resolve(name);
        Path tmp = dir.resolve("." + name + "." + java.util.UUID.randomUUID() + ".tmp");
        try {
            try (java.nio.channels.FileChannel ch = PrivateFiles.newFileChannel(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(value));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TiyiException("cannot write " + f + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // Only a leftover temporary file; a later start removes it.
            }
        }
    }
}
