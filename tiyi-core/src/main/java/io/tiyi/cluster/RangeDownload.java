package io.tiyi.cluster;

import io.tiyi.TiyiException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A secondary's download of a snapshot or blob, one range at a time into a partial file: memory
 * is one range, and a download cut off resumes from the partial file's length on the next
 * attempt instead of starting over. The content counts only once its size and SHA-256 match;
 * a partial file that does not is deleted, so the next attempt starts clean.
 */
final class RangeDownload {
    /**
     * Bytes asked for per range: the most a primary serves in one call, because a seeding
     * secondary's calls count against the primary's limit on unauthenticated calls per address.
     */
    static final int RANGE = SnapshotFiles.MAX_RANGE;

    /** Where ranges come from: at most {@code length} bytes from {@code offset}, fewer at the end. */
    @FunctionalInterface
    interface Source {
        byte[] read(long offset, int length);
    }

    private RangeDownload() {}

    /**
     * Completes {@code part} from {@code source} and checks it.
     *
     * @param size the content's size, or -1 when unknown (then it ends at the first short range)
     * @param sha256 the content's SHA-256
     * @return how many bytes this call fetched (less than the size when it resumed)
     * @throws TiyiException when the content does not match its size or hash (the partial file is gone then)
     */
    static long complete(Path part, long size, String sha256, Source source) throws IOException {
        long fetched = 0;
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long at = ch.size();
            if (size >= 0 && at > size) {
                ch.truncate(0);
                at = 0;
            }
            while (size < 0 || at < size) {
                int want = size < 0 ? RANGE : (int) Math.min(RANGE, size - at);
                byte[] data = source.read(at, want);
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf, at + buf.position());
                }
                at += data.length;
                fetched += data.length;
                if (data.length < want) {
                    if (size >= 0) {
                        throw new IOException("the source ended at byte " + at + " of " + size);
                    }
                    break;
                }
            }
            ch.force(true);
        }
        String actual = io.tiyi.crypto.Sha256.hex(part);
        long got = Files.size(part);
        if (!actual.equals(sha256) || size >= 0 && got != size) {
            Files.deleteIfExists(part);
            throw new TiyiException("downloaded " + got + " bytes with SHA-256 " + actual + ", expected " + (size >= 0 ? size + " bytes with " : "")
                    + "SHA-256 " + sha256 + "; the partial file was deleted and the next attempt starts over");
        }
        return fetched;
    }
}
