package io.tiyi.release;

import io.tiyi.TiyiException;
import io.tiyi.internal.EntryPaths;
import io.tiyi.internal.Text;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code manifest.json} of a release tarball: the release version, when it was built, and its
 * artifacts. A manifest can only be built valid, so one read from a tarball has been checked
 * field by field before anything looks at it.
 *
 * @param manifestVersion the format of this manifest; only {@link #CURRENT} is understood
 * @param version the release version, {@code 3.0.1} or {@code 3.0.0-rc.1}
 * @param created when the tarball was built, RFC 3339 in UTC ({@code 2025-06-01T12:00:00Z})
 * @param artifacts at least one; names, paths and platforms are unique
 */
public record ReleaseManifest(int manifestVersion, String version, String created, List<Artifact> artifacts) {
    /** The manifest format this build writes and reads. */
    public static final int CURRENT = 1;

    private static final Pattern VERSION = Pattern.compile("\\d{1,9}\\.\\d{1,9}\\.\\d{1,9}(-[0-9A-Za-z.-]{1,40})?");
    // Instant.parse alone also takes offsets (+02:00) on newer JDKs; the manifest says UTC only.
    private static final Pattern RFC3339_UTC = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");

    public ReleaseManifest {
        if (manifestVersion != CURRENT) {
            throw TiyiException.invalid(unsupported(manifestVersion));
        }
        requireVersion(version);
        if (created == null || !RFC3339_UTC.matcher(created).matches() || !parses(created)) {
            throw TiyiException.invalid("created '" + created + "' is not an RFC 3339 UTC time like 2025-06-01T12:00:00Z");
        }
        if (artifacts == null || artifacts.isEmpty()) {
            throw TiyiException.invalid("release " + version + " lists no artifacts");
        }
        if (artifacts.stream().anyMatch(Objects::isNull)) {
            throw TiyiException.invalid("release " + version + " lists an empty artifact");
        }
        artifacts = List.copyOf(artifacts);
        Map<String, Artifact> byName = new HashMap<>();
        Map<String, Artifact> byPlatform = new HashMap<>();
        Map<String, Artifact> byPath = new HashMap<>();
        for (Artifact a : artifacts) {
            if (byName.putIfAbsent(a.name(), a) != null) {
                throw TiyiException.invalid("duplicate artifact name " + a.name());
            }
            Artifact same = byPlatform.putIfAbsent(a.platform(), a);
            if (same != null) {
                throw TiyiException.invalid("artifacts " + same.name() + " and " + a.name() + " are both for " + a.platform());
            }
            same = byPath.putIfAbsent(a.path(), a);
            if (same != null) {
                throw TiyiException.invalid("artifacts " + same.name() + " and " + a.name() + " are both at " + a.path());
            }
        }
    }

    static String unsupported(int manifestVersion) {
        return "manifest_version " + manifestVersion + " is not supported by this build (supports " + CURRENT + ")";
    }

    /** Refuses what is not a release version: it names tarballs and is compared by upgrades. */
    static void requireVersion(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw TiyiException.invalid("version '" + version + "' is not a release version like 3.0.1 or 3.0.0-rc.1");
        }
    }

    private static boolean parses(String time) {
        try {
            Instant.parse(time);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** The artifact for a host: the one built for its platform, else the pure-JVM one ({@code any/any}). */
    public Optional<Artifact> artifactFor(String os, String arch) {
        return artifacts.stream().filter(a -> a.os().equals(os) && a.arch().equals(arch)).findFirst()
                .or(() -> artifacts.stream().filter(a -> a.matches(os, arch)).findFirst());
    }

    /**
     * One file of a release.
     *
     * @param name unique in the release, a plain file name ({@code tiyi.jar})
     * @param os {@code linux}, or {@code any} for the pure-JVM build
     * @param arch {@code amd64} or {@code arm64} with {@code linux}, {@code any} with {@code any}
     * @param path where it is in the tarball, relative ({@code artifacts/tiyi.jar})
     * @param size its length in bytes
     * @param sha256 the SHA-256 of its bytes, 64 lowercase hex digits
     * @param entryPoint how to run it ({@code java -jar tiyi.jar})
     */
    public record Artifact(String name, String os, String arch, String path, long size, String sha256, String entryPoint) {
        /** The {@code os} and {@code arch} of an artifact that runs anywhere a JVM does. */
        public static final String ANY = "any";

        private static final Set<String> PLATFORMS = Set.of("linux/amd64", "linux/arm64", "any/any");
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
        private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

        public Artifact {
            if (name == null || !NAME.matcher(name).matches()) {
                throw TiyiException.invalid("artifact name '" + name + "' is not a plain file name (letters, digits, '.', '_', '-')");
            }
            String what = "artifact " + name;
            if (!PLATFORMS.contains(os + "/" + arch)) {
                throw TiyiException.invalid(what + ": platform " + os + "/" + arch + " is not one of linux/amd64, linux/arm64, any/any");
            }
            what += " (" + os + "/" + arch + ")";
            EntryPaths.requireCanonical(what + ": path", path);
            if (path.equals(ReleaseTarball.MANIFEST)) {
                throw TiyiException.invalid(what + ": path " + path + " is the manifest's");
            }
            if (size < 0) {
                throw TiyiException.invalid(what + ": size " + size + " is negative");
            }
            if (sha256 == null || !SHA256.matcher(sha256).matches()) {
                throw TiyiException.invalid(what + ": sha256 '" + sha256 + "' is not 64 lowercase hex digits");
            }
            if (entryPoint == null || entryPoint.isBlank()) {
                throw TiyiException.invalid(what + ": entry_point must be one non-empty line");
            }
            Text.requirePlain(what + ": entry_point", entryPoint);
        }

        /** Whether this artifact runs on a host of {@code os}/{@code arch}; an {@code any/any} one runs on all. */
        public boolean matches(String os, String arch) {
            return ANY.equals(this.os) || (this.os.equals(os) && this.arch.equals(arch));
        }

        /** {@code os/arch}, as messages name it. */
        public String platform() {
            return os + "/" + arch;
        }
    }
}
