package io.tiyi.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A release manifest as the control plane signed it at import, with the bundle signing key, and
 * as an agent checks it before it installs a binary: the signature must verify with the agent's
 * pinned key, so nothing between the import and the agent (state.db, a replica, a restored
 * backup, the download) can change the version or an artifact's SHA-256 unnoticed.
 *
 * <p>The signature is over a fixed context line and the manifest's JSON, so that no bundle or
 * checkpoint signed with the same key can pass for a manifest, nor a manifest for either.
 *
 * @param manifest the manifest's JSON, exactly as signed
 * @param signature ed25519 over {@link #CONTEXT} and {@code manifest}
 */
public record SignedRelease(String manifest, byte[] signature) {
    /** What the signed bytes start with. */
    static final String CONTEXT = "tiyi release manifest 1\n";

    private static final Pattern VERSION = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})\\.(\\d{1,9})(?:-([0-9A-Za-z.-]{1,40}))?");

    /**
     * What a verified manifest says.
     *
     * @param version the release version
     * @param artifacts its artifacts
     */
    public record Verified(String version, List<Artifact> artifacts) {
        /** The artifact whose SHA-256 is {@code sha256}, if the manifest lists it. */
        public Optional<Artifact> artifact(String sha256) {
            return artifacts.stream().filter(a -> a.sha256().equals(sha256)).findFirst();
        }
    }

    /**
     * An artifact as a verified manifest lists it.
     *
     * @param name file name
     * @param os {@code linux} or {@code any}
     * @param arch {@code amd64}, {@code arm64} or {@code any}
     * @param size bytes
     * @param sha256 lowercase hex
     */
    public record Artifact(String name, String os, String arch, long size, String sha256) {}

    /** Signs a manifest's JSON. */
    public static SignedRelease sign(String manifest, Ed25519KeyPair key) {
        return new SignedRelease(manifest, key.sign(signed(manifest)));
    }

    /** Whether the signature verifies with {@code publicKey}. */
    public boolean verifiesWith(byte[] publicKey) {
        return manifest != null && signature != null && publicKey != null && Ed25519KeyPair.verify(publicKey, signed(manifest), signature);
    }

    /** The signature in base64, as a bundle command carries it. */
    public String signatureBase64() {
        return Base64.getEncoder().encodeToString(signature);
    }

    /**
     * Verifies the signature with the agent's pinned key and reads the manifest.
     *
     * @throws IOException naming what is wrong: no signature, one that does not verify, or a manifest that does not read
     */
    public static Verified verify(String manifest, String signatureBase64, byte[] pinnedKey) throws IOException {
        if (manifest == null || signatureBase64 == null) {
            throw new IOException("the release manifest is not signed; delete the release and import its tarball again");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signatureBase64);
        } catch (IllegalArgumentException e) {
            throw new IOException("the release manifest's signature is not base64");
        }
        if (!new SignedRelease(manifest, sig).verifiesWith(pinnedKey)) {
            throw new IOException("the release manifest's signature does not verify with the pinned key " + Ed25519KeyPair.fingerprint(pinnedKey)
                    + ": the manifest was altered after import, or signed with another key");
        }
        try {
            JsonNode n = Json.MAPPER.readTree(manifest);
            List<Artifact> arts = new ArrayList<>();
            for (JsonNode a : n.path("artifacts")) {
                arts.add(new Artifact(a.path("name").asText(), a.path("os").asText(), a.path("arch").asText(), a.path("size").asLong(-1),
                        a.path("sha256").asText()));
            }
            String version = n.path("version").asText();
            if (!VERSION.matcher(version).matches()) {
                throw new IOException("the signed release manifest's version '" + version + "' is not a release version");
            }
            return new Verified(version, List.copyOf(arts));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException("the signed release manifest does not read: " + e.getOriginalMessage());
        }
    }

    /**
     * Orders release versions as semantic versioning does: by major, minor and patch, and a
     * pre-release ({@code 3.0.0-rc.1}) before its release ({@code 3.0.0}).
     *
     * @throws IllegalArgumentException when either is not a release version
     */
    public static int compareVersions(String a, String b) {
        Matcher x = parse(a);
        Matcher y = parse(b);
        for (int i = 1; i <= 3; i++) {
            int c = Long.compare(Long.parseLong(x.group(i)), Long.parseLong(y.group(i)));
            if (c != 0) {
                return c;
            }
        }
        String px = x.group(4);
        String py = y.group(4);
        if (px == null || py == null) {
            return px == null ? (py == null ? 0 : 1) : -1;
        }
        String[] ix = px.split("\\.");
        String[] iy = py.split("\\.");
        for (int i = 0; i < Math.min(ix.length, iy.length); i++) {
            int c = comparePart(ix[i], iy[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(ix.length, iy.length);
    }

    private static int comparePart(String a, String b) {
        boolean na = a.matches("\\d{1,18}");
        boolean nb = b.matches("\\d{1,18}");
        if (na && nb) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        // Numeric identifiers sort before alphanumeric ones (semver 2.0.0, rule 11).
        return na ? -1 : nb ? 1 : a.compareTo(b);
    }

    private static Matcher parse(String v) {
        Matcher m = v == null ? null : VERSION.matcher(v);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + v + "' is not a release version like 3.0.1 or 3.0.0-rc.1");
        }
        return m;
    }

    private static byte[] signed(String manifest) {
        return (CONTEXT + manifest).getBytes(StandardCharsets.UTF_8);
    }
}
