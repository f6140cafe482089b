package io.tiyi.waf.crs;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * CRS installations for tests, made from the CRS fixture at {@code ../shared/crs}: a release-style
 * tarball (there is no network here to fetch one), a CRS 3 look-alike, raw tarballs with hostile
 * entries.
 */
public final class CrsFixtures {
    /** The fixture, from a module directory of this repository. */
    public static final Path SHARED = Path.of("../../shared/crs").toAbsolutePath().normalize();

    private CrsFixtures() {}

    /** The fixture's directory; aborts (or fails, under TIYI_REQUIRE_EXTERNAL=1) when it is missing. */
    public static Path shared() {
        if (!Files.isDirectory(SHARED.resolve("rules"))) {
            String why = "CRS fixture " + SHARED + " is missing";
            if ("1".equals(System.getenv("TIYI_REQUIRE_EXTERNAL"))) {
                fail(why + " (TIYI_REQUIRE_EXTERNAL=1)");
            }
            Assumptions.abort(why);
        }
        return SHARED;
    }

    /** The fixture's version as its rules declare it, such as {@code 4.29.0-dev}. */
    public static String sharedVersion() {
        return CrsLayout.version(shared().resolve("rules"));
    }

    /**
     * A release tarball laid out as CRS publishes them: {@code coreruleset-<v>/} holding
     * {@code crs-setup.conf.example}, {@code LICENSE} and {@code rules/}.
     */
    public static Path releaseTarball(Path dir) throws IOException {
        Path src = shared();
        String top = "coreruleset-" + sharedVersion() + "/";
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(top + "crs-setup.conf.example", Files.readAllBytes(src.resolve("crs-setup.conf.example")));
        entries.put(top + "LICENSE", Files.readAllBytes(src.resolve("LICENSE")));
        try (Stream<Path> s = Files.list(src.resolve("rules"))) {
            for (Path p : s.sorted().toList()) {
                entries.put(top + "rules/" + p.getFileName(), Files.readAllBytes(p));
            }
        }
        return tarball(dir.resolve("coreruleset-" + sharedVersion() + "-minimal.tar.gz"), entries);
    }

    /** A copy of the fixture that declares itself CRS 3.3.4, as Debian's modsecurity-crs package is. */
    public static Path crs3(Path dir) throws IOException {
        Path out = dir.resolve("crs3");
        copy(shared(), out, "OWASP_CRS/" + sharedVersion(), "OWASP_CRS/3.3.4");
        return out;
    }

    /** A copy of the fixture's rules and setup file, with {@code from} replaced by {@code to} in every rule file. */
    public static void copy(Path src, Path out, String from, String to) throws IOException {
        Files.createDirectories(out.resolve("rules"));
        Files.copy(src.resolve("crs-setup.conf.example"), out.resolve("crs-setup.conf.example"));
        try (Stream<Path> s = Files.list(src.resolve("rules"))) {
            for (Path p : s.toList()) {
                String text = Files.readString(p, StandardCharsets.ISO_8859_1);
                Files.writeString(out.resolve("rules").resolve(p.getFileName().toString()), text.replace(from, to), StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** A gzip'd tar of regular files, in order; a name ending in {@code ->target} is a symbolic link. */
    public static Path tarball(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream o = Files.newOutputStream(file); GZIPOutputStream gz = new GZIPOutputStream(o);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                String name = e.getKey();
                if (name.contains("->")) {
                    TarArchiveEntry link = new TarArchiveEntry(name.substring(0, name.indexOf("->")), TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName(name.substring(name.indexOf("->") + 2));
                    tar.putArchiveEntry(link);
                    tar.closeArchiveEntry();
                    continue;
                }
                TarArchiveEntry t = new TarArchiveEntry(name, true);
                t.setSize(e.getValue().length);
                tar.putArchiveEntry(t);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return file;
    }
}
