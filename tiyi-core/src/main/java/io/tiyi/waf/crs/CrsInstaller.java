package io.tiyi.waf.crs;

import io.tiyi.ProgressListener;
import io.tiyi.TiyiException;
import io.tiyi.internal.BoundedInputStream;
import io.tiyi.internal.EntryPaths;
import io.tiyi.waf.seclang.SecLangException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Installs a CRS 4 release into {@code <state-dir>/crs/<version>/}: from a release tarball
 * ({@code .tar.gz}), a directory (an unpacked release, or Debian's split package), or an
 * {@code https} URL of a release, whose bytes must match a SHA-256 pinned here for the official
 * release or given by the operator.
 *
 * <p>Archives are untrusted input: only regular files and directories with safe names are
 * unpacked, within size and count limits. What is installed is what the engine loads (the setup
 * file, {@code rules/*.conf} and {@code rules/*.data}) plus the licence; the new version directory
 * appears whole or not at all.
 */
public final class CrsInstaller {
    /** Largest download or archive accepted, and most bytes it may expand to. */
    static final long MAX_ARCHIVE_BYTES = 64L << 20;
    static final long MAX_EXPANDED_BYTES = 256L << 20;
    static final int MAX_ENTRIES = 20_000;

    /**
     * SHA-256 of official CRS release assets, by URL: a download from one of these needs no
     * {@code --sha256}. Any other URL needs one.
     */
    static final Map<String, String> PINNED = Map.of(
            "https://github.com/coreruleset/coreruleset/releases/download/v4.30.0/coreruleset-4.30.0-minimal.tar.gz",
            "3d678a41fd5aade34760127fef5dd64fd7a77848913fc0f70dde0cf467c94427");

    private final Path crsRoot;
    private final ProgressListener listener;

    /**
     * @param crsRoot the directory versions are installed under, {@code <state-dir>/crs}
     * @param listener told of each step
     */
    public CrsInstaller(Path crsRoot, ProgressListener listener) {
        this.crsRoot = crsRoot;
        this.listener = listener;
    }

    /**
     * Installs from a path or an {@code http(s)} URL.
     *
     * @param from a release tarball, a CRS directory, or a release URL
     * @param sha256 the expected SHA-256 of a tarball or download, hex; empty to trust a local path
     *     or to use the pinned digest of an official release URL
     * @return the installed layout
     * @throws TiyiException saying what is wrong: the source, the digest, the archive, or a CRS
     *     that is not version 4 (with how to get one)
     */
    public CrsLayout install(String from, Optional<String> sha256) {
        Optional<String> expected = sha256.map(CrsInstaller::normalizeDigest);
        try {
            Files.createDirectories(crsRoot);
            Path staging = Files.createTempDirectory(crsRoot, ".staging-");
            try {
                Path source;
                if (from.startsWith("https://") || from.startsWith("http://")) {
                    String digest = expected.or(() -> Optional.ofNullable(PINNED.get(from))).orElseThrow(() -> TiyiException.invalid(
                            "no SHA-256 is pinned for " + from + ": give --sha256 with the digest the release page publishes"));
                    source = download(URI.create(from), staging.resolve("download"), digest);
                } else {
                    source = Path.of(from).toAbsolutePath().normalize();
                    if (!Files.exists(source)) {
                        throw TiyiException.invalid(from + " does not exist: give a CRS 4 release tarball, its unpacked directory, or its URL");
                    }
                    if (expected.isPresent()) {
                        if (Files.isDirectory(source)) {
                            throw TiyiException.invalid("--sha256 checks a file, and " + from + " is a directory");
                        }
                        checkDigest(source, expected.get());
                    }
                }
                Path dir = source;
                if (Files.isRegularFile(source)) {
                    listener.step("unpacking " + source.getFileName(), ProgressListener.Unit.BYTES);
                    dir = staging.resolve("unpacked");
                    unpack(source, dir);
                }
                return installDir(crsDirIn(dir, from));
            } finally {
                deleteTree(staging);
            }
        } catch (SecLangException e) {
            throw TiyiException.invalid(e.getMessage());
        } catch (IOException e) {
            throw new TiyiException("cannot install the CRS from " + from + " into " + crsRoot + ": " + e.getMessage());
        }
    }

    /** The CRS directory in what was named or unpacked: itself, or its one subdirectory that has rules/. */
    private static Path crsDirIn(Path dir, String from) throws IOException {
        if (Files.isDirectory(dir.resolve("rules"))) {
            return dir;
        }
        List<Path> candidates;
        try (Stream<Path> s = Files.list(dir)) {
            candidates = s.filter(p -> Files.isDirectory(p.resolve("rules"), LinkOption.NOFOLLOW_LINKS)).toList();
        }
        if (candidates.size() != 1) {
            throw TiyiException.invalid(from + " holds " + (candidates.isEmpty() ? "no" : candidates.size())
                    + " CRS directories (a directory with rules/): give one CRS 4 release");
        }
        return candidates.get(0);
    }

    private CrsLayout installDir(Path dir) throws IOException {
        listener.step("checking the rules");
        CrsLayout layout = CrsLayout.of(dir);
        String version = layout.version();
        if (!version.matches("[0-9A-Za-z][0-9A-Za-z.-]*")) {
            throw TiyiException.invalid("CRS version '" + version + "' cannot name a directory");
        }
        List<Path[]> copies = new ArrayList<>();
        copies.add(new Path[] {layout.setupFile(), Path.of(layout.setupFile().getFileName().toString().equals("crs-setup.conf")
                ? "crs-setup.conf" : "crs-setup.conf.example")});
        if (!layout.setupFile().getFileName().toString().equals("crs-setup.conf.example")
                && Files.isRegularFile(dir.resolve("crs-setup.conf.example"))) {
            copies.add(new Path[] {dir.resolve("crs-setup.conf.example"), Path.of("crs-setup.conf.example")});
        }
        for (String extra : List.of("LICENSE", "README.md", "CHANGES.md")) {
            if (Files.isRegularFile(dir.resolve(extra), LinkOption.NOFOLLOW_LINKS)) {
                copies.add(new Path[] {dir.resolve(extra), Path.of(extra)});
            }
        }
        try (Stream<Path> s = Files.list(layout.rulesDir())) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if ((n.endsWith(".conf") || n.endsWith(".data")) && Files.isRegularFile(p)) {
                    copies.add(new Path[] {p, Path.of("rules", n)});
                }
            }
        }
        listener.step("installing CRS " + version);
        Path tmp = Files.createTempDirectory(crsRoot, "." + version + "-");
        try {
            Files.createDirectories(tmp.resolve("rules"));
            long done = 0;
            for (Path[] c : copies) {
                Files.copy(c[0], tmp.resolve(c[1].toString()), StandardCopyOption.REPLACE_EXISTING);
                listener.advance(++done, copies.size());
            }
            // The copy must load exactly as the original did.
            CrsLayout.of(tmp);
            Path target = crsRoot.resolve(version);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Path old = Files.createTempDirectory(crsRoot, ".old-" + version + "-");
                Files.delete(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            return CrsLayout.of(target);
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    private Path download(URI uri, Path to, String digest) throws IOException {
        listener.step("downloading " + uri, ProgressListener.Unit.BYTES);
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(15)).build();
        HttpResponse<InputStream> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (IOException e) {
            throw new TiyiException("cannot download " + uri + ": " + e.getMessage());
        }
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new TiyiException("cannot download " + uri + ": HTTP " + r.statusCode());
            }
            long total = r.headers().firstValueAsLong("content-length").orElse(-1);
            if (total > MAX_ARCHIVE_BYTES) {
                throw TiyiException.invalid(uri + " is " + total + " bytes, more than the " + MAX_ARCHIVE_BYTES + " a CRS release may be");
            }
            MessageDigest sha = sha256();
            try (OutputStream out = Files.newOutputStream(to)) {
                byte[] buf = new byte[64 << 10];
                long done = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    done += n;
                    if (done > MAX_ARCHIVE_BYTES) {
                        throw TiyiException.invalid(uri + " is more than the " + MAX_ARCHIVE_BYTES + " bytes a CRS release may be");
                    }
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                    listener.advance(done, total);
                }
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(digest)) {
                throw TiyiException.invalid("the download from " + uri + " has SHA-256 " + actual + ", not " + digest
                        + ": it is not the release it claims to be; nothing was installed");
            }
        }
        return to;
    }

    private static void checkDigest(Path file, String digest) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(digest)) {
            throw TiyiException.invalid(file + " has SHA-256 " + actual + ", not " + digest + "; nothing was installed");
        }
    }

    /** Unpacks a gzip'd tar into {@code into}, refusing links, devices and names that leave it. */
    private void unpack(Path archive, Path into) throws IOException {
        if (Files.size(archive) > MAX_ARCHIVE_BYTES) {
            throw TiyiException.invalid(archive + " is more than the " + MAX_ARCHIVE_BYTES + " bytes a CRS release may be");
        }
        Files.createDirectories(into);
        long total = Files.size(archive);
        long[] consumed = {0};
        InputStream counting = new FilterInputStream(Files.newInputStream(archive)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                consumed[0] += Math.max(0, n);
                return n;
            }
        };
        try (InputStream raw = new BufferedInputStream(counting)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? new GZIPInputStream(raw) : raw;
            TarArchiveInputStream tar = new TarArchiveInputStream(new BoundedInputStream(in, MAX_EXPANDED_BYTES),
                    StandardCharsets.UTF_8.name());
            int entries = 0;
            for (TarArchiveEntry e; (e = nextEntry(tar, archive)) != null; ) {
                if (++entries > MAX_ENTRIES) {
                    throw TiyiException.invalid(archive + " has more than " + MAX_ENTRIES + " entries");
                }
                if (e.getName().equals("./") || e.getName().equals(".") || e.getName().startsWith("pax_global_header")) {
                    continue;
                }
                String name = EntryPaths.normalizeEntry(e.getName());
                Path target = into.resolve(name).normalize();
                if (!target.startsWith(into)) {
                    throw TiyiException.invalid("entry " + e.getName() + " leaves the directory it is unpacked into");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    try {
                        Files.copy(tar, target);
                    } catch (FileAlreadyExistsException x) {
                        throw TiyiException.invalid("duplicate entry " + e.getName() + " in " + archive);
                    }
                } else if (e.isSymbolicLink() || e.isLink()) {
                    // Release archives carry links only for things Tiyi does not load (tests, docs);
                    // following one could read or write outside the archive, so none is made.
                    continue;
                } else {
                    throw TiyiException.invalid("entry " + e.getName() + " is not a regular file or directory");
                }
                listener.advance(Math.min(total, consumed[0]), total);
            }
            if (entries == 0) {
                throw TiyiException.invalid(archive + " holds no entries: give a CRS release tarball (.tar.gz)");
            }
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, Path archive) {
        try {
            return tar.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            throw TiyiException.invalid(archive + " is not a tar archive (a CRS release is a .tar.gz): " + e.getMessage());
        }
    }

    private static String normalizeDigest(String hex) {
        String h = hex.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("sha256:")) {
            h = h.substring(7);
        }
        if (!h.matches("[0-9a-f]{64}")) {
            throw TiyiException.invalid("--sha256 must be 64 hex digits, not '" + hex + "'");
        }
        return h;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
