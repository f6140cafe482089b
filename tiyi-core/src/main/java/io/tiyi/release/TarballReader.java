package io.tiyi.release;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.tiyi.TiyiException;
import io.tiyi.internal.BoundedInputStream;
import io.tiyi.internal.EntryPaths;
import io.tiyi.internal.Json;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Reads a release tarball as untrusted input: only regular files and directories with safe
 * names, each once, within the limits, and exactly the files the manifest lists, each with its
 * listed size and SHA-256.
 */
final class TarballReader {
    // Tar headers, PAX records and padding around the members: a few KiB per entry at most.
    private static final long OVERHEAD_PER_ENTRY = 8 << 10;
    private static final long OVERHEAD_FIXED = 64 << 10;

    private final ReleaseTarball.Limits limits;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Set<String> directories = new LinkedHashSet<>();
    private final Set<String> seen = new HashSet<>();

    TarballReader(ReleaseTarball.Limits limits) {
        this.limits = limits;
    }

    ReleaseTarball read(InputStream in) throws IOException {
        readEntries(in);
        byte[] json = files.get(ReleaseTarball.MANIFEST);
        if (json == null) {
            throw TiyiException.invalid(files.isEmpty() && directories.isEmpty() ? "the tarball holds no entries (is it a tar archive?)"
                    : "the tarball has no " + ReleaseTarball.MANIFEST);
        }
        ReleaseManifest manifest = parse(json);
        Map<String, byte[]> byName = new LinkedHashMap<>();
        Set<String> listed = new HashSet<>();
        listed.add(ReleaseTarball.MANIFEST);
        for (ReleaseManifest.Artifact a : manifest.artifacts()) {
            byName.put(a.name(), verified(a));
            listed.add(a.path());
        }
        for (String f : files.keySet()) {
            if (!listed.contains(f)) {
                throw TiyiException.invalid("unlisted entry " + f + " (the manifest does not list it)");
            }
        }
        for (String d : directories) {
            if (listed.stream().noneMatch(p -> p.startsWith(d + "/"))) {
                throw TiyiException.invalid("unlisted entry " + d + "/ (no listed file is under it)");
            }
        }
        return new ReleaseTarball(manifest, byName);
    }

    private void readEntries(InputStream in) throws IOException {
        GZIPInputStream gz;
        try {
            gz = new GZIPInputStream(in);
        } catch (ZipException | EOFException e) {
            throw TiyiException.invalid("not a gzip file (" + e.getMessage() + "): a release tarball is a .tar.gz");
        }
        long expanded = limits.maxTotalBytes() + OVERHEAD_FIXED + OVERHEAD_PER_ENTRY * limits.maxEntries();
        TarArchiveInputStream tar = new TarArchiveInputStream(new BoundedInputStream(gz, expanded), StandardCharsets.UTF_8.name());
        int entries = 0;
        long total = 0;
        String last = null;
        while (true) {
            TarArchiveEntry e;
            try {
                e = tar.getNextEntry();
            } catch (IOException | IllegalArgumentException x) {
                throw TiyiException.invalid((last == null ? "not a tar archive" : "corrupt tar header after entry " + last) + ": "
                        + x.getMessage());
            }
            if (e == null) {
                return;
            }
            if (++entries > limits.maxEntries()) {
                throw TiyiException.invalid("more than " + limits.maxEntries() + " entries in the tarball (the limit)");
            }
            String raw = e.getName();
            last = raw;
            boolean directory = requireAllowedType(e);
            if (directory && (raw.equals("./") || raw.equals("."))) {
                continue;
            }
            String name = EntryPaths.normalizeEntry(raw);
            if (!seen.add(name)) {
                throw TiyiException.invalid("duplicate entry " + raw);
            }
            if (directory) {
                directories.add(name);
                continue;
            }
            long declared = e.getSize();
            if (declared > limits.maxMemberBytes()) {
                throw TiyiException.invalid("entry " + raw + " declares " + declared + " bytes, more than the limit of "
                        + limits.maxMemberBytes() + " per member");
            }
            if (total + declared > limits.maxTotalBytes()) {
                throw TiyiException.invalid("entry " + raw + " brings the tarball's members to more than the limit of "
                        + limits.maxTotalBytes() + " bytes");
            }
            files.put(name, content(tar, raw, (int) declared));
            total += declared;
        }
    }

    /** True for a directory, false for a regular file; refuses every other kind of entry. */
    private static boolean requireAllowedType(TarArchiveEntry e) {
        String kind;
        if (e.isSymbolicLink()) {
            kind = "a symbolic link to " + e.getLinkName();
        } else if (e.isLink()) {
            kind = "a hard link to " + e.getLinkName();
        } else if (e.isCharacterDevice()) {
            kind = "a character device";
        } else if (e.isBlockDevice()) {
            kind = "a block device";
        } else if (e.isFIFO()) {
            kind = "a FIFO";
        } else if (e.isSparse()) {
            kind = "a sparse file";
        } else if (e.getLinkFlag() == TarConstants.LF_DIR) {
            return true;
        } else if (e.getLinkFlag() == TarConstants.LF_NORMAL || e.getLinkFlag() == TarConstants.LF_OLDNORM) {
            // Old tars mark directories as files with a trailing slash.
            return e.getName().endsWith("/");
        } else {
            kind = "of tar type '" + (char) e.getLinkFlag() + "'";
        }
        throw TiyiException.invalid("entry " + e.getName() + " is " + kind + ": only regular files and directories are allowed");
    }

    private static byte[] content(TarArchiveInputStream tar, String name, int declared) {
        // Sized from the header (already checked against the limits): readNBytes(int) would buffer it twice.
        byte[] data = new byte[declared];
        int n;
        try {
            n = tar.readNBytes(data, 0, declared);
        } catch (IOException x) {
            throw TiyiException.invalid("entry " + name + ": its header says " + declared + " bytes but the tarball ends before them ("
                    + x.getMessage() + ")");
        }
        if (n != declared) {
            throw TiyiException.invalid("entry " + name + ": its header says " + declared + " bytes but the tarball holds " + n);
        }
        return data;
    }

    private static ReleaseManifest parse(byte[] json) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(json);
        } catch (IOException e) {
            throw TiyiException.invalid(ReleaseTarball.MANIFEST + " is not JSON: " + problem(e));
        }
        if (tree == null || !tree.isObject()) {
            throw TiyiException.invalid(ReleaseTarball.MANIFEST + " is not a JSON object");
        }
        // The format version first: a newer format may have other fields, and "unsupported" is the
        // message that says what to do (upgrade this node first).
        JsonNode format = tree.get("manifest_version");
        if (format == null || !format.isInt()) {
            throw TiyiException.invalid(ReleaseTarball.MANIFEST + " has no integer manifest_version");
        }
        if (format.intValue() != ReleaseManifest.CURRENT) {
            throw TiyiException.invalid(ReleaseManifest.unsupported(format.intValue()));
        }
        try {
            return Json.MAPPER.readerFor(ReleaseManifest.class)
                    .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES,
                            DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .readValue(tree);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof TiyiException t) {
                throw TiyiException.invalid(ReleaseTarball.MANIFEST + ": " + t.getMessage());
            }
            throw TiyiException.invalid(ReleaseTarball.MANIFEST + ": " + problem(e));
        } catch (IOException e) {
            throw TiyiException.invalid(ReleaseTarball.MANIFEST + ": " + problem(e));
        }
    }

    /** Jackson's problem, and where in the document. */
    private static String problem(IOException e) {
        if (!(e instanceof JsonProcessingException j)) {
            return e.getMessage();
        }
        // Without the source excerpt and the names of Jackson's switches, which mean nothing to the reader.
        String msg = j.getOriginalMessage().replaceAll("(?s)\\s*\\n.*", "").replaceAll(" \\(index \\d+\\); `\\w+\\.\\w+` enabled", "");
        if (j instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder at = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    at.append(at.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    at.append('[').append(r.getIndex()).append(']');
                }
            }
            return msg + " (at " + at + ")";
        }
        return j.getLocation() == null ? msg : msg + " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
    }

    private byte[] verified(ReleaseManifest.Artifact a) {
        String what = "artifact " + a.name() + " (" + a.platform() + ")";
        byte[] data = files.get(a.path());
        if (data == null) {
            throw TiyiException.invalid(what + ": " + a.path() + (directories.contains(a.path()) ? " is a directory in the tarball"
                    : " is not in the tarball"));
        }
        if (data.length != a.size()) {
            throw TiyiException.invalid(what + ": size mismatch: the manifest says " + a.size() + " bytes, the tarball holds "
                    + data.length);
        }
        String actual = io.tiyi.crypto.Sha256.hex(data);
        if (!actual.equals(a.sha256())) {
            throw TiyiException.invalid(what + ": SHA-256 mismatch: the manifest says " + a.sha256() + ", the tarball holds " + actual);
        }
        return data;
    }
}
