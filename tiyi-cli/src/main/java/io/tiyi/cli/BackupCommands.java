package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.backup.BackupManifest;
import io.tiyi.backup.Backups;
import io.tiyi.backup.StreamRestore;
import io.tiyi.client.rpc.SystemService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code tiyi backup create|verify|restore} and {@code tiyi system resume-writes}. */
final class BackupCommands {
    private BackupCommands() {}

    static Path stateDir(String flag, CliContext ctx) {
        String d = flag != null ? flag : ctx.env.getOrDefault("TIYI_STATE_DIR", "data");
        return Path.of(d).toAbsolutePath().normalize();
    }

    static void printManifest(CliContext ctx, BackupManifest m) {
        Table t = new Table("FIELD", "VALUE");
        t.row("node", m.nodeId() + " (" + m.role() + ", epoch " + m.epoch() + ")");
        t.row("last seq", Long.toString(m.lastSeq()));
        t.row("audit head", m.auditHead() + " (" + m.auditEntries() + " entries)");
        t.row("taken", m.created() + " (snapshot " + m.snapshotMillis() + " ms)");
        t.row("kek", m.kekIncluded() ? "included (" + m.kekFingerprint() + ")" : "not included; needs " + m.kekFingerprint());
        List<String> members = new ArrayList<>();
        m.members().forEach(x -> members.add(x.name() + " " + x.size() + "B"));
        t.row("members", String.join(", ", members));
        t.print(ctx.out);
    }

    @Parameters(commandDescription = "Back up a node on this host while it runs: a consistent snapshot of state.db, the KEK and the"
            + " config file, with a manifest (node, epoch, last seq, audit head, SHA-256 of each file)")
    static final class Create extends ReleaseCommands.Local {
        @Parameter(names = "--out", description = "FILE.tar.gz, or a new or empty directory", required = true)
        String out;

        @Parameter(names = "--state-dir", description = "The node's state directory (default $TIYI_STATE_DIR or ./data)")
        String stateDir;

        @Parameter(names = "--config", description = "The node's config file, to include it")
        String config;

        @Parameter(names = "--kek-file", description = "The node's KEK file when it is not <state-dir>/kek.bin (crypto.kek_file)")
        String kekFile;

        @Parameter(names = "--without-kek", description = "Leave the KEK out, for storing it apart from the backup")
        boolean withoutKek;

        @Override
        public int run(CliContext ctx) {
            Backups.Created c;
            try (Progress p = Progress.start(ctx, "backup create")) {
                c = Backups.create(stateDir(stateDir, ctx), kekFile == null ? null : Path.of(kekFile), config == null ? null : Path.of(config),
                        Path.of(out), !withoutKek, p);
                p.done();
            }
            if (!withoutKek) {
                ctx.err.println(Table.escape("WARNING " + c.out() + " holds the KEK: whoever has it can decrypt every secret in state.db; store it as a"
                        + " secret (or back up with --without-kek and keep the KEK elsewhere)"));
            }
            ctx.out.println(Table.escape("backup of node " + c.manifest().nodeId() + " at seq " + c.manifest().lastSeq() + " written to " + c.out()));
            printManifest(ctx, c.manifest());
            return 0;
        }
    }

    @Parameters(commandDescription = "Check a backup: manifest, every file's SHA-256, SQLite's integrity check, the audit chain")
    static final class Verify extends ReleaseCommands.Local {
        @Parameter(description = "FILE.tar.gz or DIR")
        List<String> backup = new ArrayList<>();

        @Parameter(names = "--kek-file", description = "The node's KEK, for a backup taken --without-kek: the audit chain's keyed"
                + " hashes are checked only with it")
        String kekFile;

        @Override
        public int run(CliContext ctx) {
            if (backup.size() != 1) {
                throw new UsageException("give one backup: tiyi backup verify FILE.tar.gz");
            }
            Backups.Verified v;
            try (Progress p = Progress.start(ctx, "backup verify")) {
                v = Backups.verify(Path.of(backup.get(0)), kekFile == null ? null : Path.of(kekFile), p);
                p.done();
            }
            ctx.out.println(Table.escape("backup OK: node " + v.manifest().nodeId() + " at seq " + v.manifest().lastSeq() + ", audit chain "
                    + v.auditEntries() + " entries, head " + v.auditHead()));
            if (!v.auditKeyed()) {
                ctx.out.println("the audit chain's keyed hashes were not checked (no KEK in the backup): give --kek-file with the node's"
                        + " KEK to check them");
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "Restore a backup, or a point in time of a streamed backup (--from-stream), into a state directory"
            + " (checked first). The node then starts as a read-only primary: tiyi system resume-writes --yes once no other primary serves")
    static final class Restore extends ReleaseCommands.Local {
        @Parameter(description = "FILE.tar.gz or DIR")
        List<String> backup = new ArrayList<>();

        @Parameter(names = "--from-stream", description = "A backup.stream.dir to restore from instead of a backup file")
        String fromStream;

        @Parameter(names = "--at", description = "With --from-stream: the state as of this time (RFC 3339, e.g. 2026-11-28T22:00:00Z); default the latest")
        String at;

        @Parameter(names = "--state-dir", description = "Where to restore", required = true)
        String stateDir;

        @Parameter(names = "--force", description = "Restore into a directory that is not empty, replacing its state")
        boolean force;

        @Parameter(names = "--same-identity", description = "Keep the embedded agent identity of the backed-up node (a backup file's, or the one"
                + " already in --state-dir for --from-stream): only to replace that node, dead, in place. Without it the restored node's"
                + " data plane enrolls anew under a new agent id when writes resume")
        boolean sameIdentity;

        @Parameter(names = "--kek-file", description = "With --from-stream: the source node's KEK (default <state-dir>/kek.bin); the"
                + " replayed audit entries are keyed under it")
        String kekFile;

        @Override
        public int run(CliContext ctx) {
            Path dir = Path.of(stateDir).toAbsolutePath().normalize();
            if (fromStream != null) {
                if (!backup.isEmpty()) {
                    throw new UsageException("give a backup file or --from-stream DIR, not both");
                }
                java.util.Optional<java.time.Instant> when;
                try {
                    when = at == null ? java.util.Optional.empty() : java.util.Optional.of(java.time.Instant.parse(at));
                } catch (java.time.format.DateTimeParseException e) {
                    throw new UsageException("--at " + at + " is not an RFC 3339 time such as 2026-11-28T22:00:00Z");
                }
                Path kek = kekFile != null ? Path.of(kekFile) : dir.resolve(Backups.KEK);
                if (!java.nio.file.Files.isRegularFile(kek)) {
                    throw new UsageException("restoring from a stream needs the source node's KEK: give --kek-file, or put it at " + kek);
                }
                StreamRestore.Result r = StreamRestore.restore(Path.of(fromStream), dir, when, force, io.tiyi.crypto.Kek.load(kek), sameIdentity);
                ctx.out.println(Table.escape("restored generation " + r.generation() + " to seq " + r.lastSeq() + " (" + r.lastTs() + "; snapshot at seq "
                        + r.snapshotSeq() + ", audit head " + r.auditHead() + ") into " + dir));
                ctx.out.println(Table.escape("it starts as a read-only primary: put its KEK in place, tiyi server --state-dir " + dir
                        + ", then tiyi system resume-writes --yes once no other primary serves" + identityNote()));
                return 0;
            }
            if (at != null) {
                throw new UsageException("--at needs --from-stream");
            }
            if (kekFile != null) {
                throw new UsageException("--kek-file goes with --from-stream; a backup file carries its KEK or is restored without it");
            }
            if (backup.size() != 1) {
                throw new UsageException("give one backup: tiyi backup restore FILE.tar.gz --state-dir DIR (or --from-stream DIR)");
            }
            Backups.Verified v = Backups.restore(Path.of(backup.get(0)), dir, force, sameIdentity);
            BackupManifest m = v.manifest();
            ctx.out.println(Table.escape("restored node " + m.nodeId() + " (epoch " + m.epoch() + ", seq " + m.lastSeq() + ", audit head " + v.auditHead()
                    + ") into " + dir));
            ctx.out.println(Table.escape("it starts as a read-only primary: tiyi server --state-dir " + dir + (m.kekIncluded() ? "" : " (put its KEK "
                    + m.kekFingerprint() + " in place first)") + ", then tiyi system resume-writes --yes once no other primary serves"
                    + identityNote()));
            return 0;
        }

        private String identityNote() {
            return sameIdentity ? "" : "; its data plane serves once writes resume, enrolled under a new agent id";
        }
    }

    @Parameters(commandDescription = "Let a read-only primary (restored from a backup) take changes again; only when no other"
            + " primary serves this cluster")
    static final class ResumeWrites extends AccountCommands.Base {
        @Parameter(names = "--yes", description = "No other primary serves this cluster")
        boolean yes;

        @Override
        public int run(CliContext ctx) {
            JsonNode r = ctx.client().call(SystemService.RESUME_WRITES, new SystemService.ResumeRequest(yes));
            if (ctx.json()) {
                ctx.printJson(r);
            } else {
                ctx.out.println(Table.escape("writes resumed: this node is the read-write primary at epoch " + r.get("epoch").asLong() + " with seq "
                        + r.get("last_seq").asLong()));
            }
            return 0;
        }
    }
}
