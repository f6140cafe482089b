package io.tiyi.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Bad release tarballs made from a good one, the way an attacker or a broken download would. */
final class ReleaseTarballs {
    private ReleaseTarballs() {}

    /** The same tarball with one byte in the middle of its artifact changed (manifest untouched). */
    static byte[] withArtifactByteFlipped(byte[] tarGz) throws IOException {
        return rewrite(tarGz, null, null, true);
    }

    /** The same tarball with one more entry. */
    static byte[] withEntry(byte[] tarGz, String name, byte[] content) throws IOException {
        return rewrite(tarGz, name, content, false);
    }

    private static byte[] rewrite(byte[] tarGz, String extraName, byte[] extra, boolean flip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tarGz)));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                byte[] data = in.readAllBytes();
                if (flip && e.getName().endsWith(".jar")) {
                    data[data.length / 2] ^= 0x01;
                }
                TarArchiveEntry copy = new TarArchiveEntry(e.getName());
                copy.setSize(data.length);
                copy.setModTime(e.getModTime());
                tar.putArchiveEntry(copy);
                tar.write(data);
                tar.closeArchiveEntry();
            }
            if (extraName != null) {
                TarArchiveEntry x = new TarArchiveEntry(extraName, true);
                x.setSize(extra.length);
                tar.putArchiveEntry(x);
                tar.write(extra);
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}
