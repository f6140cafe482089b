package io.tiyi.bundle;

import io.tiyi.internal.PrivateFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The CRS files a bundle's rule set needs, packed for agents: {@code crs-setup.conf} (or its
 * {@code .example}) and {@code rules/*.conf} and {@code rules/*.data}, as a gzip of
 * length-prefixed (name, bytes) entries in name order. Addressed by the SHA-256 of the
 * uncompressed entries, so an unchanged rule set has the same hash and is fetched once.
 */
public final class RulesArchive {
    /** Largest archive an agent accepts, compressed or not. */
    public static final int MAX_BYTES = 64 << 20;
    private static final int MAGIC = 0x54595231; // "TYR1"

    private final String hash;
    private final byte[] compressed;

    private RulesArchive(String hash, byte[] compressed) {
        this.hash = hash;
        this.compressed = compressed;
    }

    public String hash() {
        return hash;
    }

    public byte[] compressed() {
        return compressed.clone();
    }

    public long size() {
        return compressed.length;
    }

    /** Packs a CRS directory. */
    public static RulesArchive pack(Path crsDir) throws IOException {
        io.tiyi.waf.crs.CrsLayout layout = io.tiyi.waf.crs.CrsLayout.of(crsDir);
        // The setup file goes in under its own name wherever it came from (Debian keeps it in /etc),
        // so the agent's copy is an ordinary single-directory layout.
        java.util.Map<String, Path> files = new java.util.LinkedHashMap<>();
        files.put(layout.setupFile().getFileName().toString(), layout.setupFile());
        try (Stream<Path> s = Files.list(layout.rulesDir())) {
            s.filter(p -> p.getFileName().toString().endsWith(".conf") || p.getFileName().toString().endsWith(".data")).sorted()
                    .forEach(p -> files.put("rules/" + p.getFileName(), p));
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(raw)) {
            out.writeInt(MAGIC);
            out.writeInt(files.size());
            for (java.util.Map.Entry<String, Path> f : files.entrySet()) {
                String n = f.getKey();
                byte[] data = Files.readAllBytes(f.getValue());
                byte[] name = n.getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                out.writeInt(data.length);
                out.write(data);
            }
        }
        byte[] bytes = raw.toByteArray();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(bytes);
        }
        return new RulesArchive(hashOf(bytes), gz.toByteArray());
    }

    /**
     * Checks an archive against the hash its signed bundle names and unpacks it into
     * {@code target} (created; replaced atomically if it exists).
     *
     * @throws IOException naming what is wrong: the hash, a bad entry name, a truncated archive
     */
    public static void unpack(byte[] compressed, String expectedHash, Path target) throws IOException {
        if (compressed.length > MAX_BYTES) {
            throw new IOException("rule archive of " + compressed.length + " bytes exceeds " + MAX_BYTES);
        }
        byte[] raw;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            raw = in.readNBytes(MAX_BYTES + 1);
        }
        if (raw.length > MAX_BYTES) {
            throw new IOException("rule archive expands beyond " + MAX_BYTES + " bytes");
        }
        String actual = hashOf(raw);
        if (!actual.equals(expectedHash)) {
            throw new IOException("rule archive hash " + actual + " does not match the bundle's " + expectedHash);
        }
        Path tmp = Files.createTempDirectory(target.getParent(), ".rules-");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(raw))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a Tiyi rule archive");
            }
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                byte[] name = new byte[in.readUnsignedShort()];
                in.readFully(name);
                String entry = new String(name, StandardCharsets.UTF_8);
                if (!entry.matches("(crs-setup\\.conf(\\.example)?|rules/[A-Za-z0-9_.-]+\\.(conf|data))") || entry.contains("..")) {
                    throw new IOException("rule archive entry '" + entry + "' is not a CRS file name");
                }
                int len = in.readInt();
                if (len < 0 || len > raw.length) {
                    throw new IOException("rule archive entry '" + entry + "' has a bad length");
                }
                byte[] data = new byte[len];
                in.readFully(data);
                Path f = tmp.resolve(entry);
                PrivateFiles.createDirectories(f.getParent());
                try (var out = PrivateFiles.newOutputStream(f, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
                    out.write(data);
                }
            }
        } catch (EOFException e) {
            throw new IOException("rule archive is truncated");
        }
        if (Files.exists(target)) {
            deleteTree(target);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String hashOf(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
