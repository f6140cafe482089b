package io.tiyi.waf.seclang;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.PatternSyntaxException;

/**
 * Which files SecLang may read: {@code Include}, {@code @pmFromFile} and {@code @ipMatchFromFile}
 * all resolve their paths here.
 *
 * <p>{@link #anywhere(Path)} is for rules the host trusts (a CRS it installed, its own rule files):
 * any path, relative ones from the including file's directory, and errors may quote a file's text.
 *
 * <p>{@link #within(List)} is for rules written by someone who must not read the host's files
 * through them (a site's custom rules sent over an API). A path is read only when its real path
 * (every link followed) lies inside one of the allowed directories; {@code ..}, absolute paths
 * elsewhere and links that lead out are refused. The check is made on the path as written before
 * the file system is asked anything, and every refusal reads the same whether the file exists or
 * not, so that the rules are no oracle for files outside the allowed directories. A relative path
 * is taken from the including file's directory; in text that is not from a file it is looked up in
 * each allowed directory in order and the first that holds it wins. Files are named in errors
 * relative to their allowed directory, and their text is never quoted: it may be data the rule
 * author cannot otherwise read.
 */
public final class RuleFiles {
    /** An allowed directory as configured (absolute, normalized) and as the file system resolves it. */
    private record Root(Path given, Path real) {}

    private final List<Root> roots;
    private final Path base;
    private final boolean fromFile;

    private RuleFiles(List<Root> roots, Path base, boolean fromFile) {
        this.roots = roots;
        this.base = base;
        this.fromFile = fromFile;
    }

    /** Any file the process can read; relative paths from {@code baseDir} (or the working directory when null). */
    public static RuleFiles anywhere(Path baseDir) {
        return new RuleFiles(null, baseDir == null ? null : baseDir.toAbsolutePath(), false);
    }

    /** No file at all: every Include and data file is refused. */
    public static RuleFiles none() {
        return new RuleFiles(List.of(), null, false);
    }

    /**
     * Only files inside {@code dirs}, in this order for relative paths. A directory that does not
     * exist (removed since it was configured) allows nothing; it is skipped rather than failing
     * every rule that does not read a file.
     */
    public static RuleFiles within(List<Path> dirs) {
        List<Root> out = new ArrayList<>();
        for (Path d : dirs) {
            Path given = Objects.requireNonNull(d, "dir").toAbsolutePath().normalize();
            try {
                Path real = given.toRealPath();
                if (Files.isDirectory(real) && real.getParent() != null) {
                    out.add(new Root(given, real));
                }
            } catch (IOException e) {
                // skipped: see above
            }
        }
        return new RuleFiles(List.copyOf(out), null, false);
    }

    /** Whether paths are confined to allowed directories. */
    public boolean restricted() {
        return roots != null;
    }

    /** The real directories files may come from; empty for {@link #anywhere}. */
    public List<Path> allowedDirectories() {
        return roots == null ? List.of() : roots.stream().map(Root::real).toList();
    }

    /** Whether an error about text read through this may quote it: inline text, or any file when unrestricted. */
    public boolean quotesText() {
        return roots == null || !fromFile;
    }

    /** The same rules for text read from {@code file} (a path this resolved): relative paths start from its directory. */
    RuleFiles in(Path file) {
        return new RuleFiles(roots, file.toAbsolutePath().getParent(), true);
    }

    /**
     * How errors name {@code file}: as it was resolved when unrestricted, else relative to its
     * allowed directory.
     */
    public String label(Path file) {
        if (roots == null) {
            return file.toString();
        }
        for (Root r : roots) {
            if (file.startsWith(r.real())) {
                return r.real().relativize(file).toString();
            }
        }
        return file.getFileName().toString();
    }

    /**
     * The one file {@code name} names, for a data file such as {@code @pmFromFile}'s. When
     * unrestricted, the path is not checked: reading it reports what is wrong.
     *
     * @param what how errors name the reader, for example {@code @pmFromFile}
     * @throws SecLangException naming {@code where}; the path is quoted only when {@link #quotesText()}
     */
    public Path file(String name, String what, String where) {
        Path p = path(name, what, where);
        if (roots == null) {
            // Trusted: whether it can be read is the reader's error, with the file system's reason.
            return p.isAbsolute() || base == null ? p : base.resolve(p);
        }
        for (Path dir : startingPoints(p)) {
            Path f = confined(dir == null ? p : dir.resolve(p));
            if (f != null && Files.isRegularFile(f)) {
                return f;
            }
        }
        throw refused(name, what, where);
    }

    /**
     * The files a path or a glob in its last segment ({@code *}, {@code ?}, {@code [..]}) names,
     * in name order. A glob that matches nothing gives no files.
     */
    public List<Path> glob(String pattern, String what, String where) {
        Path p = path(pattern, what, where);
        Path last = p.getFileName();
        String name = last == null ? "" : last.toString();
        if (name.indexOf('*') < 0 && name.indexOf('?') < 0 && name.indexOf('[') < 0) {
            Path f = file(pattern, what, where);
            if (roots == null && !Files.isRegularFile(f)) {
                throw new SecLangException(where, what + ": file " + f + " does not exist");
            }
            return List.of(f);
        }
        PathMatcher m;
        try {
            m = FileSystems.getDefault().getPathMatcher("glob:" + name);
        } catch (PatternSyntaxException e) {
            if (!quotesText()) {
                throw SecLangException.withoutText(where, what + ": invalid glob");
            }
            throw new SecLangException(where, what + ": invalid glob " + quote(pattern) + ": " + e.getDescription());
        }
        Path parent = p.getParent();
        if (roots == null) {
            // A bare glob ("Include *.conf" in text without a base directory) lists the working directory.
            Path dir = parent == null ? (base == null ? Path.of("") : base) : p.isAbsolute() || base == null ? parent : base.resolve(parent);
            return list(dir, m, what, where);
        }
        // The first allowed directory in which the glob matches a file wins, as for a plain relative path.
        boolean listed = false;
        for (Path start : startingPoints(p)) {
            Path dir = start == null ? parent : parent == null ? start : start.resolve(parent);
            Path real = dir == null ? null : confined(dir);
            if (real != null && Files.isDirectory(real)) {
                List<Path> found = list(real, m, what, where);
                if (!found.isEmpty()) {
                    return found;
                }
                listed = true;
            }
        }
        if (listed) {
            return List.of();
        }
        throw refused(pattern, what, where);
    }

    private List<Path> list(Path dir, PathMatcher m, String what, String where) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                if (!m.matches(f.getFileName())) {
                    continue;
                }
                if (roots == null) {
                    if (Files.isRegularFile(f)) {
                        out.add(f);
                    }
                    continue;
                }
                Path real = confined(f);
                if (real == null && Files.isSymbolicLink(f)) {
                    // Named: the link is in an allowed directory. Where it leads, and whether that exists, is not said.
                    throw SecLangException.withoutText(where, what + ": " + label(dir.resolve(f.getFileName())) + " is a link that does not lead to a file"
                            + " inside the allowed rule directories");
                }
                if (real != null && Files.isRegularFile(real)) {
                    out.add(real);
                }
            }
        } catch (IOException e) {
            if (roots == null) {
                throw new SecLangException(where, what + ": cannot list " + dir + ": " + e.getMessage());
            }
            throw SecLangException.withoutText(where, what + ": cannot list " + label(dir));
        }
        out.sort(null);
        return out;
    }

    private Path path(String name, String what, String where) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            if (!quotesText()) {
                throw SecLangException.withoutText(where, what + ": invalid path");
            }
            throw new SecLangException(where, what + ": invalid path " + quote(name) + ": " + e.getReason());
        }
    }

    /** Where a relative path is looked up: the including file's directory, else every allowed directory in order. */
    private List<Path> startingPoints(Path p) {
        if (p.isAbsolute()) {
            return java.util.Collections.singletonList(null);
        }
        if (base != null) {
            return List.of(base);
        }
        return roots.stream().map(Root::real).toList();
    }

    /**
     * The real path of {@code p} when it stays inside an allowed directory, else null. The path as
     * written is checked before the file system is touched, so nothing outside is even looked at
     * unless a link inside an allowed directory leads there.
     */
    private Path confined(Path p) {
        Path n = p.toAbsolutePath().normalize();
        if (roots.stream().noneMatch(r -> n.startsWith(r.given()) || n.startsWith(r.real()))) {
            return null;
        }
        Path real;
        try {
            real = n.toRealPath();
        } catch (IOException | SecurityException e) {
            return null;
        }
        return roots.stream().anyMatch(r -> real.startsWith(r.real())) ? real : null;
    }

    private SecLangException refused(String name, String what, String where) {
        String message = what + ": " + (quotesText() ? quote(name) : "the path on this line") + " is not a file inside the"
                + " allowed rule directories (" + (roots.isEmpty() ? "none: no CRS in use and waf.rules_dirs is empty"
                        : "the CRS rules directory and waf.rules_dirs") + ")";
        return quotesText() ? new SecLangException(where, message) : SecLangException.withoutText(where, message);
    }

    private static String quote(String s) {
        return "'" + SecLangParser.abbreviate(s) + "'";
    }
}
