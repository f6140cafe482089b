package io.tiyi.release;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builds tarballs entry by entry, good or bad, the way an attacker or another tar tool would. */
final class Tars {
    private record Member(TarArchiveEntry entry, byte[] data) {}

    private final List<Member> members = new ArrayList<>();

    static Tars tar() {
        return new Tars();
    }

    Tars file(String name, byte[] data) {
        // preserveAbsolutePath: otherwise commons-compress quietly strips a leading '/'.
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(data.length);
        return entry(e, data);
    }

    Tars file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    Tars directory(String name) {
        return entry(new TarArchiveEntry(name.endsWith("/") ? name : name + "/"), new byte[0]);
    }

    Tars special(String name, byte linkFlag, String linkName) {
        TarArchiveEntry e = new TarArchiveEntry(name, linkFlag);
        if (linkName != null) {
            e.setLinkName(linkName);
        }
        return entry(e, new byte[0]);
    }

    Tars entry(TarArchiveEntry e, byte[] data) {
        members.add(new Member(e, data));
        return this;
    }

    /** The uncompressed tar. */
    byte[] tarBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name())) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Member m : members) {
                out.putArchiveEntry(m.entry());
                out.write(m.data());
                out.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    byte[] gz() {
        return gzip(tarBytes());
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Rewrites the size field of the header at {@code offset} and its checksum, as a lying header would. */
    static void patchSize(byte[] tar, int offset, long size) {
        byte[] octal = String.format("%011o\0", size).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(octal, 0, tar, offset + 124, 12);
        for (int i = 0; i < 8; i++) {
            tar[offset + 148 + i] = ' ';
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[offset + i] & 0xff;
        }
        byte[] check = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(check, 0, tar, offset + 148, 8);
    }
}
