package io.tiyi.backup;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File operations of the backup stream: every file appears whole and durable, or not at all. */
final class StreamFiles {
    /** What a writer puts into a file. */
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private StreamFiles() {}

    /**
     * Creates {@code dir}, owner-only where the file system has POSIX modes: the stream holds
     * everything state.db holds.
     *
     * @throws FileAlreadyExistsException when it exists
     */
    static void createPrivateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        }
    }

    /** Creates {@code dir} if missing (its parent must exist), owner-only where possible. */
    static void ensurePrivateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                createPrivateDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // created meanwhile by another writer: what we wanted
            }
        }
    }

    /** Writes {@code target} through a temporary name beside it, so a reader never sees it partly written. */
    static void writeAtomically(Path target, Content content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
            }
            publish(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Flushes {@code tmp} to disk and renames it over {@code target}, then flushes the directory entry. */
    static void publish(Path tmp, Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(target.getParent());
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some network file systems cannot open a directory; the rename has happened and their
            // server decides when it is durable.
        }
    }

    /** Deletes {@code dir} and everything under it; a missing dir is fine. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    /** The last-modified time of the newest regular file under {@code dir}, or of {@code dir} itself when it holds none. */
    static long newestModified(Path dir) throws IOException {
        long newest;
        try (Stream<Path> s = Files.walk(dir)) {
            newest = s.filter(Files::isRegularFile).mapToLong(StreamFiles::modified).max().orElse(Long.MIN_VALUE);
        }
        return newest == Long.MIN_VALUE ? modified(dir) : newest;
    }

    /** The last-modified time of {@code p}, or {@link Long#MIN_VALUE} when it was deleted meanwhile. */
    static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (java.nio.file.NoSuchFileException e) {
            return Long.MIN_VALUE;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
