package io.tiyi.internal;

import io.tiyi.TiyiException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files and directories only their owner can reach: directories {@code 0700}, files {@code 0600}.
 *
 * <p>A node's state directory holds the KEK, the database, agent keys and access logs with client
 * addresses and query strings. Modes are given when a file or directory is created, never set
 * after it is written, so there is no moment when another user could open it; the process
 * umask is not relied on, since a loose one would widen nothing here and a strict one narrows
 * nothing further. On a file system without POSIX permissions (some mounted volumes) files are
 * created with the file system's defaults, and {@link #secure} has nothing to check.
 */
public final class PrivateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
    /** {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** Paths warned about one by one before the rest are counted in one line. */
    static final int WARNINGS = 20;

    private PrivateFiles() {}

    /**
     * Creates {@code dir} and any missing parents, each new one {@code 0700}; an existing
     * directory is left as it is.
     */
    public static Path createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return dir;
        }
        Path parent = abs.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(abs, attribute(DIRECTORY));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(abs);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(abs)) {
                throw e;
            }
        }
        return dir;
    }

    /** Creates an empty file with mode {@code 0600}; it must not exist yet. */
    public static Path createFile(Path file) throws IOException {
        try {
            return Files.createFile(file, attribute(FILE));
        } catch (UnsupportedOperationException e) {
            return Files.createFile(file);
        }
    }

    /**
     * Opens {@code file} for writing with {@code options}; when the options create it, it is
     * created {@code 0600}.
     */
    public static OutputStream newOutputStream(Path file, OpenOption... options) throws IOException {
        return Channels.newOutputStream(newFileChannel(file, options));
    }

    /**
     * Opens a channel on {@code file} with {@code options}; when the options create it, it is
     * created {@code 0600}.
     */
    public static FileChannel newFileChannel(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> opts = Set.of(options);
        try {
            return FileChannel.open(file, opts, attribute(FILE));
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(file, opts);
        }
    }

    /**
     * Removes group and other permissions from a file another library wrote (a download, a copy)
     * inside a private directory, before it is moved to where it is kept. Does nothing on a file
     * system without POSIX permissions.
     */
    public static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, FILE);
        } catch (UnsupportedOperationException e) {
            // No modes to set.
        }
    }

    /** Writes {@code data} to a new {@code 0600} file, replacing nothing: the file must not exist. */
    public static void write(Path file, byte[] data) throws IOException {
        try (OutputStream out = newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(data);
        }
    }

    /**
     * Makes {@code root} and everything under it private at start: a group or other permission
     * bit on a directory or file is removed, with one WARNING naming the path and its old mode
     * (the first {@value #WARNINGS}, then one line counting the rest). Symbolic links are not
     * followed. Paths under {@code skip} (relative to {@code root}) keep their modes.
     *
     * @throws TiyiException naming the path, its owner and what to run, when a mode cannot be
     *     changed (the path belongs to another user); nothing else under root is changed after it
     */
    public static void secure(Path root, String what, Path... skip) {
        Path top = root.toAbsolutePath().normalize();
        int[] fixed = {0};
        try {
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    for (Path s : skip) {
                        if (!dir.equals(top) && dir.equals(top.resolve(s))) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                    }
                    tighten(dir, what, fixed);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile() || attrs.isDirectory()) {
                        tighten(file, what, fixed);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof java.nio.file.NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (TiyiException e) {
            throw e;
        } catch (IOException e) {
            throw new TiyiException(what + " " + top + " cannot be checked: " + e
                    + "; make it readable by the user Tiyi runs as (chown -R that user " + top + ")");
        }
        if (fixed[0] > WARNINGS) {
            LOG.warn("{} {}: {} more paths were open to group or others and are now private; check what put them there",
                    what, top, fixed[0] - WARNINGS);
        }
    }

    private static void tighten(Path p, String what, int[] fixed) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            return;
        }
        if (perms.stream().noneMatch(GROUP_OR_OTHERS::contains)) {
            return;
        }
        Set<PosixFilePermission> tight = EnumSet.copyOf(perms);
        tight.removeAll(GROUP_OR_OTHERS);
        try {
            Files.setPosixFilePermissions(p, tight);
        } catch (FileSystemException e) {
            String owner;
            try {
                owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
            } catch (IOException | UnsupportedOperationException x) {
                owner = "another user";
            }
            throw new TiyiException(what + ": " + p + " is open to group or others (mode " + mode(perms)
                    + ") and belongs to " + owner + ", so Tiyi (running as " + System.getProperty("user.name")
                    + ") cannot make it private; run Tiyi as " + owner + ", or as its owner: chmod go-rwx " + p);
        }
        fixed[0]++;
        if (fixed[0] <= WARNINGS) {
            LOG.warn("{}: {} was open to group or others (mode {}); changed it to {} so only the user Tiyi runs as can reach it",
                    what, p, mode(perms), mode(tight));
        }
    }

    /** {@code 0644 (rw-r--r--)}, as {@code ls -l} and {@code chmod} write it. */
    static String mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 0400 >> p.ordinal();
        }
        return String.format(java.util.Locale.ROOT, "%04o (%s)", m, PosixFilePermissions.toString(perms));
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> perms) {
        return PosixFilePermissions.asFileAttribute(perms);
    }
}
