package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.ReleasesService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code tiyi release import|list|delete|apply|runs|rollback}: releases on the control plane and their rollouts to agents. */
final class RolloutCommands {
    private RolloutCommands() {}

    static void printRelease(CliContext ctx, JsonNode r) {
        Table t = new Table("ID", "VERSION", "ARTIFACTS", "IMPORTED", "BY");
        row(t, r);
        t.print(ctx.out);
    }

    private static void row(Table t, JsonNode r) {
        List<String> arts = new ArrayList<>();
        for (JsonNode a : r.get("artifacts")) {
            arts.add(a.get("name").asText() + " " + a.get("os").asText() + "/" + a.get("arch").asText() + " " + a.get("size").asLong() + "B");
        }
        t.row(r.get("id").asText(), r.get("version").asText(), String.join(", ", arts), Table.time(r.get("imported_at").asLong()),
                r.get("imported_by").asText());
    }

    static void printRollout(CliContext ctx, JsonNode run) {
        ctx.out.println(Table.escape("rollout " + run.get("id").asLong() + ": " + run.get("kind").asText()
                + (run.get("version").isNull() ? "" : " " + run.get("version").asText()) + " by " + run.get("created_by").asText() + " at "
                + Table.time(run.get("created_at").asLong())));
        Table t = new Table("AGENT", "STATE", "FROM", "TO", "RUNS NOW", "REASON");
        for (JsonNode a : run.get("agents")) {
            t.row(a.get("agent_id").asText(), a.get("state").asText(), a.path("from_version").asText(""), a.path("to_version").asText(""),
                    a.path("reported_version").asText(""), a.path("reason").asText(""));
        }
        t.print(ctx.out);
    }

    @Parameters(commandDescription = "Import a release tarball into the control plane: the manifest and every artifact's size and"
            + " SHA-256 are checked, and anything suspicious (paths, links, sizes, unknown manifest version) refuses the whole tarball")
    static final class Import extends AccountCommands.Base {
        @Parameter(names = "--tarball", description = "The release tarball, tiyi-<version>.tar.gz", required = true)
        String tarball;

        @Parameter(names = "--sha256", description = "The tarball's SHA-256 as its publisher lists it; another tarball is refused before"
                + " it is uploaded")
        String sha256;

        @Override
        public int run(CliContext ctx) throws IOException {
            Path f = Path.of(tarball);
            if (!Files.isRegularFile(f)) {
                throw new UsageException("--tarball " + tarball + ": no such file");
            }
            if (sha256 != null) {
                String want = sha256.strip().toLowerCase(java.util.Locale.ROOT);
                if (!want.matches("[0-9a-f]{64}")) {
                    throw new UsageException("--sha256 " + sha256 + ": not 64 hex digits; give the SHA-256 the publisher lists for the tarball");
                }
                String got = io.tiyi.crypto.Sha256.hex(f);
                if (!got.equals(want)) {
                    throw new UsageException("release tarball refused: " + f.getFileName() + " has SHA-256 " + got + ", not the expected " + want
                            + "; it is not the tarball the publisher released, do not import it");
                }
            }
            JsonNode r;
            try (Progress p = Progress.start(ctx, "release import")) {
                r = ctx.client().callWithFile(ReleasesService.IMPORT, "tarball", f, p);
                p.done();
            }
            if (ctx.json()) {
                ctx.printJson(r);
            } else {
                printRelease(ctx, r);
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "List imported releases: id, version, artifacts, imported at and by")
    static final class ListReleases extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode list = ctx.client().listAll(ReleasesService.LIST, "releases");
            if (ctx.json()) {
                ctx.printJson(list);
                return 0;
            }
            Table t = new Table("ID", "VERSION", "ARTIFACTS", "IMPORTED", "BY");
            list.forEach(r -> row(t, r));
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Delete a release and its artifacts (an artifact another release shares stays); refused while it is"
            + " in use: in an unfinished rollout, run by an agent, or what an agent would roll back to")
    static final class Delete extends AccountCommands.Base {
        @Parameter(description = "RELEASE (its id or version)")
        List<String> release = new ArrayList<>();

        @Override
        public int run(CliContext ctx) {
            if (release.size() != 1) {
                throw new UsageException("give one release id or version (tiyi release list)");
            }
            JsonNode r = ctx.client().call(ReleasesService.DELETE, new ReleasesService.DeleteRequest(release.get(0)));
            if (ctx.json()) {
                ctx.printJson(r);
            } else {
                ctx.out.println(Table.escape("deleted release " + r.get("version").asText() + " (" + r.get("id").asText() + "); "
                        + r.get("freed_blobs").size() + " artifact(s) freed"));
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "Upgrade agents to a release: every standalone agent whose OS/arch it has an artifact for, or only"
            + " the agents named with --agent-id (a wave)")
    static final class Apply extends AccountCommands.Base {
        @Parameter(description = "RELEASE (its id or version)")
        List<String> release = new ArrayList<>();

        @Parameter(names = "--agent-id", description = "Only this agent (repeat for more)")
        List<String> agents = new ArrayList<>();

        @Override
        public int run(CliContext ctx) {
            if (release.size() != 1) {
                throw new UsageException("give one release id or version (tiyi release list)");
            }
            JsonNode run = ctx.client().call(ReleasesService.APPLY, new ReleasesService.ApplyRequest(release.get(0), agents));
            if (ctx.json()) {
                ctx.printJson(run);
            } else {
                printRollout(ctx, run);
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "Rollouts, newest first, with each agent's state: pending, downloading, verified, restarting,"
            + " healthy, failed (with the reason), and the version it runs now")
    static final class Runs extends AccountCommands.Base {
        @Parameter(names = "--limit", description = "How many rollouts, 1-1000")
        int limit = 20;

        @Override
        public int run(CliContext ctx) {
            JsonNode runs = ctx.client().call(ReleasesService.RUNS, new ReleasesService.RunsRequest(limit)).get("runs");
            if (ctx.json()) {
                ctx.printJson(runs);
                return 0;
            }
            if (runs.isEmpty()) {
                ctx.out.println("no rollouts yet (tiyi release apply)");
            }
            for (JsonNode run : runs) {
                printRollout(ctx, run);
                ctx.out.println();
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "Point agents back at the binary they ran before their last upgrade: every agent whose last rollout"
            + " was an apply, or only those named with --agent-id")
    static final class Rollback extends AccountCommands.Base {
        @Parameter(names = "--agent-id", description = "Only this agent (repeat for more)")
        List<String> agents = new ArrayList<>();

        @Override
        public int run(CliContext ctx) {
            JsonNode run = ctx.client().call(ReleasesService.ROLLBACK, new ReleasesService.RollbackRequest(agents));
            if (ctx.json()) {
                ctx.printJson(run);
            } else {
                printRollout(ctx, run);
            }
            return 0;
        }
    }
}
