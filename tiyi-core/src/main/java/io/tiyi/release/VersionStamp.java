package io.tiyi.release;

import io.tiyi.TiyiException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The version a Tiyi jar reports: {@code version} in its {@code io/tiyi/version.properties}
 * (see {@link io.tiyi.TiyiVersion}), read from a jar or rewritten in a copy of it.
 */
final class VersionStamp {
    static final String RESOURCE = "io/tiyi/version.properties";

    private VersionStamp() {}

    private record Entry(ZipEntry meta, byte[] data) {}

    /** The version the jar was built as. */
    static String of(byte[] jar, String jarName) throws IOException {
        String[] found = new String[1];
        forEach(jar, jarName, name -> name.equals(RESOURCE), e -> {
            Properties p = new Properties();
            p.load(new StringReader(new String(e.data(), StandardCharsets.ISO_8859_1)));
            found[0] = p.getProperty("version");
        });
        String v = found[0];
        if (v == null) {
            throw TiyiException.invalid(jarName + " has no " + RESOURCE + ": not a Tiyi build");
        }
        if (v.isBlank() || v.startsWith("${")) {
            throw TiyiException.invalid(jarName + ": " + RESOURCE + " has no version (the build did not stamp it)");
        }
        return v.trim();
    }

    /**
     * A copy of the jar whose version resource says {@code version}; every other entry is copied
     * with its name, content, time and extra fields, in the same order, the manifest first (where
     * {@code JarInputStream} looks for it; its {@code Multi-Release} attribute goes along).
     */
    static byte[] restamp(byte[] jar, String jarName, String version) throws IOException {
        boolean[] found = {false};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(jar.length + 1024);
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            // Two passes over the jar, one entry in memory at a time: the manifest's entries first, then the rest in order.
            for (int pass = 0; pass < 2; pass++) {
                boolean first = pass == 0;
                forEach(jar, jarName, name -> (rank(name) < 2) == first, e -> copy(out, e, jarName, version, found));
            }
        }
        if (!found[0]) {
            throw TiyiException.invalid(jarName + " has no " + RESOURCE + ": not a Tiyi build");
        }
        return bytes.toByteArray();
    }

    private static void copy(ZipOutputStream out, Entry e, String jarName, String version, boolean[] found) throws IOException {
        String name = e.meta().getName();
        if (name.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")) {
            throw TiyiException.invalid(jarName + " is signed (" + name + "): restamping its version would break the signature");
        }
        byte[] data = e.data();
        if (name.equals(RESOURCE)) {
            data = withVersion(data, version, jarName);
            found[0] = true;
        }
        ZipEntry copy = new ZipEntry(e.meta());
        if (copy.getMethod() == ZipEntry.STORED || data != e.data()) {
            copy.setSize(data.length);
            copy.setCrc(crc(data));
            copy.setCompressedSize(copy.getMethod() == ZipEntry.STORED ? data.length : -1);
        } else {
            // Deflated again by this JDK: the compressed size will differ from the source's.
            copy.setCompressedSize(-1);
        }
        out.putNextEntry(copy);
        out.write(data);
        out.closeEntry();
    }

    private static int rank(String name) {
        return switch (name) {
            case "META-INF/" -> 0;
            case "META-INF/MANIFEST.MF" -> 1;
            default -> 2;
        };
    }

    /** The resource with its {@code version=} line replaced; comments and the commit stay as they are. */
    private static byte[] withVersion(byte[] properties, String version, String jarName) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : new String(properties, StandardCharsets.ISO_8859_1).split("(?<=\n)")) {
            boolean isVersion = line.stripLeading().matches("version\\s*[=:].*\\R?");
            out.append(isVersion ? "version=" + version + (line.endsWith("\n") ? "\n" : "") : line);
        }
        // Properties has more ways to write a key than the line above rewrites: check what the jar will say.
        Properties p = new Properties();
        p.load(new StringReader(out.toString()));
        if (!version.equals(p.getProperty("version"))) {
            throw TiyiException.invalid(jarName + ": cannot restamp " + RESOURCE + ": its version is not on a line 'version=...'");
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static long crc(byte[] data) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(data);
        return c.getValue();
    }

    private interface EntryConsumer {
        void accept(Entry e) throws IOException;
    }

    /** Hands each entry whose name {@code select} takes to {@code consumer}, one at a time. */
    private static void forEach(byte[] jar, String jarName, java.util.function.Predicate<String> select, EntryConsumer consumer)
            throws IOException {
        int n = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                n++;
                if (select.test(e.getName())) {
                    // Read before copying the entry: sizes and CRC of a deflated entry are only known after its data.
                    consumer.accept(new Entry(e, in.readAllBytes()));
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw TiyiException.invalid(jarName + " is not a jar: " + e.getMessage());
        }
        if (n == 0) {
            throw TiyiException.invalid(jarName + " is not a jar (no entries)");
        }
    }
}
