package io.tiyi.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Request bodies compressed as clients send them with {@code Content-Encoding: gzip}. */
public final class Gzip {
    private Gzip() {}

    public static byte[] gzip(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code s} in UTF-8, gzipped. */
    public static byte[] gzip(String s) {
        return gzip(s.getBytes(StandardCharsets.UTF_8));
    }
}
