package io.tiyi.release;

import io.tiyi.TiyiException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
        for (Entry e : entries(jar, jarName)) {
            if (e.meta().getName().equals(RESOURCE)) {
                Properties p = new Properties();
                p.load(new StringReader(new String(e.data(), StandardCharsets.ISO_8859_1)));
                String v = p.getProperty("version");
                if (v == null || v.isBlank() || v.startsWith("${")) {
                    throw TiyiException.invalid(jarName + ": " + RESOURCE + " has no version (the build did not stamp it)");
                }
                return v.trim();
            }
        }
        throw TiyiException.invalid(jarName + " has no " + RESOURCE + ": not a Tiyi build");
    }

    /**
     * A copy of the jar whose version resource says {@code version}; every other entry is copied
     * with its name, content, time and extra fields, in the same order, the manifest first (where
     * {@code JarInputStream} looks for it; its {@code Multi-Release} attribute goes along).
     */
    static byte[] restamp(byte[] jar, String jarName, String version) throws IOException {
        List<Entry> entries = new ArrayList<>(entries(jar, jarName));
        entries.sort(Comparator.comparingInt(e -> rank(e.meta().getName())));
        boolean found = false;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(jar.length + 1024);
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Entry e : entries) {
                String name = e.meta().getName();
                if (name.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")) {
                    throw TiyiException.invalid(jarName + " is signed (" + name + "): restamping its version would break the signature");
                }
                byte[] data = e.data();
                if (name.equals(RESOURCE)) {
                    data = withVersion(data, version, jarName);
                    found = true;
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
        }
        if (!found) {
            throw TiyiException.invalid(jarName + " has no " + RESOURCE + ": not a Tiyi build");
        }
        return bytes.toByteArray();
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

    private static List<Entry> entries(byte[] jar, String jarName) throws IOException {
        List<Entry> list = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                // Read before copying the entry: sizes and CRC of a deflated entry are only known after its data.
                byte[] data = in.readAllBytes();
                list.add(new Entry(e, data));
            }
        } catch (java.util.zip.ZipException e) {
            throw TiyiException.invalid(jarName + " is not a jar: " + e.getMessage());
        }
        if (list.isEmpty()) {
            throw TiyiException.invalid(jarName + " is not a jar (no entries)");
        }
        return list;
    }
}
