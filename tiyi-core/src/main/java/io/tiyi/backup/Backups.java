package io.tiyi.backup;

import static io.tiyi.store.generated.Tables.MUTATION_LOG;

import io.tiyi.ProgressListener;
import io.tiyi.TiyiException;
import io.tiyi.audit.AuditChain;
import io.tiyi.cluster.ClusterState;
import io.tiyi.cluster.ClusterStates;
import io.tiyi.cluster.Role;
import io.tiyi.crypto.Kek;
import io.tiyi.internal.Json;
import io.tiyi.internal.PrivateFiles;
import io.tiyi.store.Blobs;
import io.tiyi.store.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.sqlite.SQLiteConfig;

/**
 * Backups of a node: {@code state.db} (a consistent online snapshot), the KEK and the config
 * file, with a manifest; checked and restored.
 *
 * <p>The snapshot is SQLite's {@code VACUUM INTO} on a read-only connection: in WAL mode a reader
 * never blocks the writer, so mutations go on while it is taken, and it is exactly the database as
 * of one transaction. The backup can be taken from another process on the node's host while the
 * node runs.
 */
public final class Backups {
    public static final String MANIFEST = "manifest.json";
    public static final String DB = "state.db";
    public static final String KEK = "kek.bin";
    public static final String CONFIG = "tiyi.yaml";
    /** The embedded agent's identity and pinned key, so that a node restored with its identity (replacing the source) serves at once. */
    static final List<String> AGENT_FILES = List.of("agent/agent.json", "agent/pin.json", "agent/bundle.json");
    private static final long MAX_MEMBER = 8L << 30;

    private Backups() {}

    /**
     * What went into a backup.
     *
     * @param manifest the manifest written
     * @param out the archive or directory
     */
    public record Created(BackupManifest manifest, Path out) {}

    /**
     * Takes a backup of the node whose state directory is {@code stateDir}.
     *
     * @param kekFile the node's KEK file ({@code crypto.kek_file}), or null for {@code stateDir/kek.bin}
     * @param configFile the node's config file, or null when it runs without one
     * @param out a {@code .tar.gz} file, or a directory (created; must be empty)
     * @param withKek false for {@code --without-kek}: the KEK is stored elsewhere
     */
    public static Created create(Path stateDir, Path kekFile, Path configFile, Path out, boolean withKek) {
        return create(stateDir, kekFile, configFile, out, withKek, ProgressListener.NONE);
    }

    /** {@link #create(Path, Path, Path, Path, boolean)}, telling {@code progress} each step. */
    public static Created create(Path stateDir, Path kekFile, Path configFile, Path out, boolean withKek, ProgressListener progress) {
        Path db = stateDir.resolve(DB);
        if (!Files.isRegularFile(db)) {
            throw TiyiException.invalid("no state.db in " + stateDir + " (--state-dir names the node's state directory)");
        }
        Path kek = kekFile != null ? kekFile : stateDir.resolve(KEK);
        if (withKek && !Files.isRegularFile(kek)) {
            throw TiyiException.invalid("no KEK at " + kek + ": give --kek-file (the node's crypto.kek_file), or --without-kek");
        }
        if (configFile != null && !Files.isRegularFile(configFile)) {
            throw TiyiException.invalid("--config " + configFile + ": no such file");
        }
        boolean archive = out.getFileName().toString().endsWith(".tar.gz");
        if (archive && Files.exists(out)) {
            throw TiyiException.invalid(out + " exists; choose another name (a backup is never overwritten)");
        }
        if (!archive && Files.isDirectory(out) && !isEmpty(out)) {
            throw TiyiException.invalid(out + " is not empty; give an empty or new directory, or a FILE.tar.gz");
        }
        Path work = null;
        try {
            work = Files.createTempDirectory(parentOf(out), ".tiyi-backup-");
            long t0 = System.nanoTime();
            progress.step("snapshot of state.db");
            snapshot(db, work.resolve(DB));
            long took = (System.nanoTime() - t0) / 1_000_000;
            fsync(work.resolve(DB));
            List<String> names = new ArrayList<>(List.of(DB));
            if (withKek) {
                Files.copy(kek, work.resolve(KEK));
                names.add(KEK);
            }
            if (configFile != null) {
                Files.copy(configFile, work.resolve(CONFIG));
                names.add(CONFIG);
            }
            for (String a : AGENT_FILES) {
                if (Files.isRegularFile(stateDir.resolve(a))) {
                    Files.createDirectories(work.resolve(a).getParent());
                    Files.copy(stateDir.resolve(a), work.resolve(a));
                    names.add(a);
                }
            }
            progress.step("checksums and the audit chain");
            BackupManifest m = describe(work, names, took, withKek, Files.isReadable(kek) ? Optional.of(Kek.load(kek)) : Optional.empty());
            Files.writeString(work.resolve(MANIFEST), Json.write(m));
            progress.step("writing " + out.getFileName());
            if (archive) {
                writeArchive(work, m, out, work.resolve(".archive.tar.gz"));
            } else {
                Files.createDirectories(out);
                for (String n : listed(m)) {
                    Files.createDirectories(out.resolve(n).getParent());
                    Files.move(work.resolve(n), out.resolve(n));
                    fsync(out.resolve(n));
                }
                restrict(out);
            }
            return new Created(m, out);
        } catch (IOException e) {
            throw new TiyiException("cannot write the backup to " + out + ": " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
    }

    /** The snapshot: VACUUM INTO from a read-only connection, which never holds the node's writer. */
    static void snapshot(Path db, Path to) {
        try {
            io.tiyi.store.Snapshots.vacuumInto(db, to);
        } catch (SQLException e) {
            throw new TiyiException("cannot snapshot " + db + ": " + e.getMessage(), e);
        }
    }

    private static BackupManifest describe(Path work, List<String> names, long took, boolean withKek, Optional<Kek> kek) throws IOException {
        List<BackupManifest.Member> members = new ArrayList<>();
        for (String n : names) {
            Path f = work.resolve(n);
            members.add(new BackupManifest.Member(n, Files.size(f), Blobs.sha256(f)));
        }
        // Inspected through a copy: a store opened in place would leave -wal/-shm files beside the snapshot.
        Path scratch = work.resolve("inspect");
        Files.createDirectories(scratch);
        Files.copy(work.resolve(DB), scratch.resolve(DB));
        try (StateStore s = StateStore.open(scratch)) {
            ClusterState cs = ClusterStates.read(s).orElseThrow(() -> TiyiException.invalid("state.db has no cluster_state: not a node's database"));
            long lastSeq = s.read(db -> Optional.ofNullable(db.select(org.jooq.impl.DSL.max(MUTATION_LOG.SEQ)).from(MUTATION_LOG)
                    .fetchOne(0, Long.class)).orElse(0L));
            AuditChain.Verification v = AuditChain.verify(s, kek.filter(k -> k.fingerprint().equals(cs.kekFingerprint())));
            if (!v.ok()) {
                throw TiyiException.failedPrecondition("the audit chain in state.db is broken (" + v.problem()
                        + "): not backing up a tampered database; see tiyi audit verify-chain");
            }
            return new BackupManifest(BackupManifest.FORMAT, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), cs.nodeId(),
                    cs.role().wireName(), cs.epoch(), lastSeq, v.entries(), v.headHash(), cs.kekFingerprint(), withKek, took, members);
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * The result of {@link #verify}.
     *
     * @param manifest the backup's manifest
     * @param auditEntries entries in the restored audit chain
     * @param auditHead its head
     * @param auditKeyed whether the chain's hashes were recomputed under the KEK (from the backup or
     *     given); without a KEK only its links and its agreement with {@code mutation_log} are checked
     */
    public record Verified(BackupManifest manifest, long auditEntries, String auditHead, boolean auditKeyed) {}

    /**
     * Checks a backup: manifest, every member's size and SHA-256, SQLite's integrity check, and the
     * audit chain (whose head must be the manifest's).
     */
    public static Verified verify(Path backup) {
        return verify(backup, null, ProgressListener.NONE);
    }

    /**
     * {@link #verify(Path)}, telling {@code progress} each step and the members checked.
     *
     * @param kekFile the node's KEK file, for a backup taken {@code --without-kek}, or null: the
     *     audit chain's keyed hashes are then checked only when the backup holds the KEK
     */
    public static Verified verify(Path backup, Path kekFile, ProgressListener progress) {
        Path work = null;
        try {
            work = Files.createTempDirectory(".tiyi-verify-");
            progress.step("reading " + backup.getFileName());
            return check(unpack(backup, work), work, kekFile, progress);
        } catch (IOException e) {
            throw new TiyiException("cannot read " + backup + ": " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
    }

    private static Verified check(BackupManifest m, Path dir, Path kekFile, ProgressListener progress) throws IOException {
        if (m.format() != BackupManifest.FORMAT) {
            throw TiyiException.invalid("backup manifest format " + m.format() + " is not supported by this build (supports "
                    + BackupManifest.FORMAT + ")");
        }
        progress.step("checksums");
        int done = 0;
        for (BackupManifest.Member mem : m.members()) {
            Path f = dir.resolve(mem.name());
            if (!Files.isRegularFile(f)) {
                throw TiyiException.invalid("backup member " + mem.name() + " is missing");
            }
            if (Files.size(f) != mem.size()) {
                throw TiyiException.invalid("backup member " + mem.name() + " is " + Files.size(f) + " bytes, the manifest says " + mem.size());
            }
            String sha = Blobs.sha256(f);
            if (!sha.equals(mem.sha256())) {
                throw TiyiException.invalid("backup member " + mem.name() + " is corrupt: SHA-256 " + sha + ", the manifest says " + mem.sha256());
            }
            progress.advance(++done, m.members().size());
        }
        if (m.members().stream().noneMatch(x -> x.name().equals(DB))) {
            throw TiyiException.invalid("the backup has no state.db");
        }
        Path scratch = dir.resolve(".check");
        Files.createDirectories(scratch);
        Files.copy(dir.resolve(DB), scratch.resolve(DB));
        try (StateStore s = StateStore.open(scratch)) {
            progress.step("SQLite's integrity check");
            String integrity = s.read(db -> db.fetchValue("PRAGMA integrity_check")).toString();
            if (!"ok".equals(integrity)) {
                throw TiyiException.invalid("state.db in the backup fails SQLite's integrity check: " + integrity);
            }
            progress.step("the audit chain");
            Optional<Kek> kek = kekOf(m, dir, kekFile);
            AuditChain.Verification v = AuditChain.verify(s, kek);
            if (!v.ok()) {
                throw TiyiException.invalid("the audit chain in the backup is broken: " + v.problem());
            }
            if (!v.headHash().equals(m.auditHead()) || v.entries() != m.auditEntries()) {
                throw TiyiException.invalid("the audit chain in the backup ends at " + v.headHash() + " (" + v.entries()
                        + " entries), the manifest says " + m.auditHead() + " (" + m.auditEntries() + ")");
            }
            return new Verified(m, v.entries(), v.headHash(), v.keyed());
        } finally {
            deleteTree(scratch);
        }
    }

    /** The KEK the backup holds, else the one given; it must be the one the backup's state.db was written with. */
    private static Optional<Kek> kekOf(BackupManifest m, Path dir, Path kekFile) {
        Path f = m.members().stream().anyMatch(x -> x.name().equals(KEK)) ? dir.resolve(KEK) : kekFile;
        if (f == null) {
            return Optional.empty();
        }
        Kek kek = Kek.load(f);
        if (!kek.fingerprint().equals(m.kekFingerprint())) {
            throw TiyiException.invalid("the KEK " + (f.startsWith(dir) ? "in the backup" : f.toString()) + " is " + kek.fingerprint()
                    + ", the backup's state.db was written with " + m.kekFingerprint() + "; give the node's own KEK file");
        }
        return Optional.of(kek);
    }

    /**
     * Restores a backup into {@code stateDir}, after checking it completely. The restored node
     * starts as a read-only primary: the cluster may have moved on since the backup, and a second
     * read-write primary must not appear by accident ({@code tiyi system resume-writes} ends it).
     *
     * <p>The node's embedded agent gets a new identity (it enrolls when writes resume), so that a
     * restore beside a running source never reports as the source's agent; {@code sameIdentity}
     * keeps the backed-up one, for a node that replaces the dead source in place.
     *
     * @param force restore into a directory that is not empty (its state.db, KEK and agent identity are replaced)
     * @param sameIdentity restore the embedded agent's identity, pinned key and last bundle from the backup
     */
    public static Verified restore(Path backup, Path stateDir, boolean force, boolean sameIdentity) {
        if (Files.exists(stateDir) && !isEmpty(stateDir) && !force) {
            throw TiyiException.failedPrecondition(stateDir + " is not empty: restoring would replace its state; give --force to do so");
        }
        Path work = null;
        try {
            work = Files.createTempDirectory(".tiyi-restore-");
            BackupManifest m = unpack(backup, work);
            // Without a KEK in the backup, the one already in the target (if it is the right one) checks the chain's keyed hashes.
            Path targetKek = stateDir.resolve(KEK);
            boolean usable = Files.isReadable(targetKek) && Kek.load(targetKek).fingerprint().equals(m.kekFingerprint());
            Verified v = check(m, work, usable ? targetKek : null, ProgressListener.NONE);
            PrivateFiles.createDirectories(stateDir);
            // Prepared beside the target and made read-only there, then moved in: an interrupted restore leaves
            // either the old state or the complete read-only one, never a fresh or read-write database.
            Path staged = Files.createTempDirectory(stateDir, ".restore-");
            List<BackupManifest.Member> restored = m.members().stream().filter(x -> sameIdentity || !AGENT_FILES.contains(x.name())).toList();
            try {
                for (BackupManifest.Member mem : restored) {
                    Path to = staged.resolve(mem.name());
                    Files.createDirectories(to.getParent());
                    Files.copy(work.resolve(mem.name()), to);
                }
                try (StateStore s = StateStore.open(staged)) {
                    ClusterStates states = new ClusterStates(s);
                    ClusterState cs = states.current();
                    if (cs.role() != Role.PRIMARY) {
                        // A stepped-down primary or a secondary: it comes back as the primary of its own data, read-only.
                        states.setRoleAndEpoch(Role.PRIMARY, cs.epoch());
                    }
                    states.setReadOnly(true);
                }
                if (Files.exists(staged.resolve(DB + "-wal")) && Files.size(staged.resolve(DB + "-wal")) > 0) {
                    throw new TiyiException("cannot restore into " + stateDir + ": the restored database kept a write-ahead log after"
                            + " closing; nothing was changed, try again");
                }
                Files.deleteIfExists(staged.resolve(DB + "-wal"));
                Files.deleteIfExists(staged.resolve(DB + "-shm"));
                for (BackupManifest.Member mem : restored) {
                    fsync(staged.resolve(mem.name()));
                }
                if (!sameIdentity) {
                    forgetAgentIdentity(stateDir);
                }
                for (String stale : List.of(DB + "-wal", DB + "-shm")) {
                    Files.deleteIfExists(stateDir.resolve(stale));
                }
                // state.db last: until it moves, the target holds its old database (or none).
                List<BackupManifest.Member> order = new ArrayList<>(restored);
                order.sort(Comparator.comparing(x -> x.name().equals(DB)));
                for (BackupManifest.Member mem : order) {
                    Path to = stateDir.resolve(mem.name());
                    Files.createDirectories(to.getParent());
                    Files.move(staged.resolve(mem.name()), to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                deleteTree(staged);
            }
            restrict(stateDir);
            return v;
        } catch (IOException e) {
            throw new TiyiException("cannot restore into " + stateDir + ": " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Removes the embedded agent's identity, pinned key, last bundle and audit checkpoint from a
     * state directory: the node enrolls anew, under a new agent id, once it takes changes.
     */
    static void forgetAgentIdentity(Path stateDir) throws IOException {
        for (String f : List.of("agent/agent.json", "agent/pin.json", "agent/bundle.json", "agent/checkpoint.json")) {
            Files.deleteIfExists(stateDir.resolve(f));
        }
    }

    // ---- archive and files ----

    private static List<String> listed(BackupManifest m) {
        List<String> n = new ArrayList<>();
        n.add(MANIFEST);
        m.members().forEach(x -> n.add(x.name()));
        return n;
    }

    /** Written inside the 0700 work directory as 0600 from the start, then linked to {@code out}, which must not exist. */
    private static void writeArchive(Path work, BackupManifest m, Path out, Path tmp) throws IOException {
        PrivateFiles.createFile(tmp);
        try (OutputStream fo = Files.newOutputStream(tmp, StandardOpenOption.WRITE); GZIPOutputStream gz = new GZIPOutputStream(fo);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (String n : listed(m)) {
                Path f = work.resolve(n);
                TarArchiveEntry e = new TarArchiveEntry(n);
                e.setSize(Files.size(f));
                e.setMode(0600);
                tar.putArchiveEntry(e);
                Files.copy(f, tar);
                tar.closeArchiveEntry();
            }
        }
        fsync(tmp);
        try {
            Files.createLink(out, tmp);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw TiyiException.invalid(out + " exists; choose another name (a backup is never overwritten)");
        }
    }

    /** Puts the backup's files into {@code work} and returns its manifest; only the files the manifest names are taken. */
    private static BackupManifest unpack(Path backup, Path work) throws IOException {
        if (Files.isDirectory(backup)) {
            BackupManifest m = manifest(backup.resolve(MANIFEST));
            for (BackupManifest.Member mem : m.members()) {
                Path from = safe(backup, mem.name());
                if (Files.isRegularFile(from)) {
                    PrivateFiles.createDirectories(work.resolve(mem.name()).getParent());
                    try (OutputStream out = PrivateFiles.newOutputStream(work.resolve(mem.name()), StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                        Files.copy(from, out);
                    }
                }
            }
            return m;
        }
        if (!Files.isRegularFile(backup)) {
            throw TiyiException.invalid(backup + ": no such backup (a FILE.tar.gz or a directory from tiyi backup create)");
        }
        Set<String> seen = new java.util.HashSet<>();
        try (InputStream fi = Files.newInputStream(backup); GZIPInputStream gz = new GZIPInputStream(fi);
                TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) {
                    throw TiyiException.invalid("backup entry " + e.getName() + " is not a regular file");
                }
                if (!seen.add(e.getName())) {
                    throw TiyiException.invalid("backup entry " + e.getName() + " appears twice");
                }
                if (e.getSize() > MAX_MEMBER) {
                    throw TiyiException.invalid("backup entry " + e.getName() + " is larger than " + MAX_MEMBER + " bytes");
                }
                Path to = safe(work, e.getName());
                // The KEK and state.db land here: private from the first byte, as in a state directory.
                PrivateFiles.createDirectories(to.getParent());
                try (OutputStream out = PrivateFiles.newOutputStream(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    tar.transferTo(out);
                }
            }
        } catch (java.util.zip.ZipException | java.io.EOFException x) {
            throw TiyiException.invalid(backup + " is not a complete .tar.gz backup: " + x.getMessage());
        }
        if (!seen.contains(MANIFEST)) {
            throw TiyiException.invalid(backup + " has no manifest.json: not a Tiyi backup");
        }
        BackupManifest m = manifest(work.resolve(MANIFEST));
        Set<String> named = new java.util.HashSet<>(listed(m));
        for (String s : seen) {
            if (!named.contains(s)) {
                throw TiyiException.invalid("backup entry " + s + " is not in the manifest");
            }
        }
        return m;
    }

    private static Path safe(Path root, String name) {
        Path p = root.resolve(name).normalize();
        if (name.startsWith("/") || name.contains("..") || !p.startsWith(root)) {
            throw TiyiException.invalid("backup entry " + name + " points outside the backup");
        }
        return p;
    }

    private static BackupManifest manifest(Path f) throws IOException {
        if (!Files.isRegularFile(f)) {
            throw TiyiException.invalid("no manifest.json in the backup: not a Tiyi backup");
        }
        BackupManifest m;
        try {
            m = Json.MAPPER.readValue(Files.readAllBytes(f), BackupManifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw TiyiException.invalid("the backup's manifest.json cannot be read: " + e.getOriginalMessage());
        }
        // Members are only ever these files: a manifest cannot make a restore read or write anywhere else.
        Set<String> allowed = new java.util.HashSet<>(List.of(DB, KEK, CONFIG));
        allowed.addAll(AGENT_FILES);
        Set<String> seen = new java.util.HashSet<>();
        for (BackupManifest.Member mem : m.members()) {
            if (!allowed.contains(mem.name()) || !seen.add(mem.name())) {
                throw TiyiException.invalid("backup manifest names member '" + mem.name() + "': a backup holds only " + String.join(", ",
                        new java.util.TreeSet<>(allowed)) + ", each once");
            }
        }
        return m;
    }

    private static void fsync(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void restrict(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwx------" : "rw-------"));
            }
        }
    }

    private static Path parentOf(Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return parent;
    }

    private static boolean isEmpty(Path dir) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException ignored) {
            // Scratch space: what is left is harmless.
        }
    }

    /** For the CLI's summary. */
    public static Map<String, Object> summary(BackupManifest m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node_id", m.nodeId());
        s.put("role", m.role());
        s.put("epoch", m.epoch());
        s.put("last_seq", m.lastSeq());
        s.put("audit_head", m.auditHead());
        s.put("kek_included", m.kekIncluded());
        return s;
    }
}
