package io.tiyi.release;

import static io.tiyi.store.generated.Tables.BLOBS;
import static io.tiyi.store.generated.Tables.RELEASES;
import static io.tiyi.store.generated.Tables.RELEASE_ARTIFACTS;
import static io.tiyi.store.generated.Tables.ROLLOUTS;
import static io.tiyi.store.generated.Tables.ROLLOUT_TARGETS;

import io.tiyi.TiyiException;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.Blobs;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.store.MutationKinds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The replicated changes of releases and rollouts. */
public final class ReleaseMutations {
    private ReleaseMutations() {}

    /**
     * An artifact of an imported release; its bytes are the blob {@code sha256}.
     *
     * @param name file name, for example {@code tiyi.jar}
     * @param os {@code linux} or {@code any}
     * @param arch {@code amd64}, {@code arm64} or {@code any}
     * @param size bytes
     * @param sha256 lowercase hex
     * @param entryPoint how it is run
     */
    public record ArtifactRow(String name, String os, String arch, long size, String sha256, String entryPoint) {}

    /**
     * A release whose tarball was checked; its artifacts are stored as blobs before this commits.
     * {@code signature} is the manifest's, made with the bundle signing key {@code signedBy}.
     */
    public record Import(String id, String version, String created, String manifest, List<ArtifactRow> artifacts, byte[] signature,
            String signedBy) implements Mutation<Void> {
        public static final String KIND = "releases.import";

        public Import {
            artifacts = List.copyOf(artifacts);
        }

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public List<String> blobs() {
            return artifacts.stream().map(ArtifactRow::sha256).toList();
        }

        @Override
        public Void apply(MutationContext ctx) {
            var existing = ctx.db().selectFrom(RELEASES).where(RELEASES.VERSION.eq(version)).fetchOne();
            if (existing != null) {
                throw TiyiException.alreadyExists("release " + version + " is already imported (id " + existing.getId() + ", by "
                        + existing.getImportedBy() + ")");
            }
            for (ArtifactRow a : artifacts) {
                if (!ctx.db().fetchExists(BLOBS, BLOBS.SHA256.eq(a.sha256()))) {
                    throw new TiyiException("artifact " + a.name() + " of release " + version + " is not stored (blob " + a.sha256() + ")");
                }
            }
            ctx.db().insertInto(RELEASES).set(RELEASES.ID, id).set(RELEASES.VERSION, version).set(RELEASES.CREATED, created)
                    .set(RELEASES.MANIFEST, manifest).set(RELEASES.IMPORTED_AT, ctx.ts()).set(RELEASES.IMPORTED_BY, ctx.actor())
                    .set(RELEASES.SIGNATURE, signature).set(RELEASES.SIGNED_BY, signedBy).execute();
            for (ArtifactRow a : artifacts) {
                ctx.db().insertInto(RELEASE_ARTIFACTS).set(RELEASE_ARTIFACTS.RELEASE_ID, id).set(RELEASE_ARTIFACTS.NAME, a.name())
                        .set(RELEASE_ARTIFACTS.OS, a.os()).set(RELEASE_ARTIFACTS.ARCH, a.arch()).set(RELEASE_ARTIFACTS.SIZE, a.size())
                        .set(RELEASE_ARTIFACTS.SHA256, a.sha256()).set(RELEASE_ARTIFACTS.ENTRY_POINT, a.entryPoint()).execute();
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("version", version);
            d.put("artifacts", artifacts.stream().map(a -> a.name() + " " + a.os() + "/" + a.arch() + " sha256:" + a.sha256()).toList());
            return new AuditRecord("releases.import", "release:" + id, d);
        }
    }

    /**
     * One agent of a rollout.
     *
     * @param agentId the agent
     * @param fromVersion the version it ran when the rollout started
     * @param toVersion the version it is to run (null for a rollback to a previous binary not known here)
     * @param sha256 the artifact it downloads, or null for a rollback
     * @param size the artifact's size, or 0
     */
    public record Target(String agentId, String fromVersion, String toVersion, String sha256, long size) {}

    /** A rollout starts: an apply of a release, or a rollback of agents to their previous binary. Its id is its seq. */
    public record StartRollout(String kind, String releaseId, String version, List<Target> targets) implements Mutation<Long> {
        public static final String KIND = "releases.rollout";

        public StartRollout {
            targets = List.copyOf(targets);
        }

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Long apply(MutationContext ctx) {
            long id = ctx.seq();
            ctx.db().insertInto(ROLLOUTS).set(ROLLOUTS.ID, id).set(ROLLOUTS.KIND, kind).set(ROLLOUTS.RELEASE_ID, releaseId)
                    .set(ROLLOUTS.VERSION, version).set(ROLLOUTS.CREATED_AT, ctx.ts()).set(ROLLOUTS.CREATED_BY, ctx.actor()).execute();
            for (Target t : targets) {
                ctx.db().insertInto(ROLLOUT_TARGETS).set(ROLLOUT_TARGETS.ROLLOUT_ID, id).set(ROLLOUT_TARGETS.AGENT_ID, t.agentId())
                        .set(ROLLOUT_TARGETS.STATE, RolloutState.PENDING.wireName()).set(ROLLOUT_TARGETS.FROM_VERSION, t.fromVersion())
                        .set(ROLLOUT_TARGETS.TO_VERSION, t.toVersion()).set(ROLLOUT_TARGETS.ARTIFACT_SHA256, t.sha256())
                        .set(ROLLOUT_TARGETS.ARTIFACT_SIZE, t.size()).set(ROLLOUT_TARGETS.UPDATED_AT, ctx.ts()).execute();
            }
            return id;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("releases." + kind, kind.equals("apply") ? "release:" + releaseId : "rollback",
                    Map.of("version", version == null ? "" : version, "agents", targets.stream().map(Target::agentId).toList()));
        }
    }

    /** An agent reported progress on a rollout; only forward moves are recorded. */
    public record SetTargetState(long rolloutId, String agentId, String state, String reason, String reportedVersion) implements Mutation<Void> {
        public static final String KIND = "releases.target_state";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            var row = ctx.db().selectFrom(ROLLOUT_TARGETS).where(ROLLOUT_TARGETS.ROLLOUT_ID.eq(rolloutId))
                    .and(ROLLOUT_TARGETS.AGENT_ID.eq(agentId)).fetchOne();
            if (row == null || !RolloutState.fromWire(row.getState()).canMoveTo(RolloutState.fromWire(state))) {
                return null;
            }
            row.setState(state);
            row.setReason(reason);
            row.setReportedVersion(reportedVersion);
            row.setUpdatedAt(ctx.ts());
            row.store();
            if (RolloutState.FAILED.wireName().equals(state)) {
                // A failure stops the rollout: the agents still waiting for their turn are not touched.
                ctx.db().update(ROLLOUT_TARGETS).set(ROLLOUT_TARGETS.STATE, RolloutState.FAILED.wireName())
                        .set(ROLLOUT_TARGETS.REASON, "not started: agent " + agentId + " failed first").set(ROLLOUT_TARGETS.UPDATED_AT, ctx.ts())
                        .where(ROLLOUT_TARGETS.ROLLOUT_ID.eq(rolloutId)).and(ROLLOUT_TARGETS.STATE.eq(RolloutState.PENDING.wireName()))
                        .execute();
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("state", state);
            if (reason != null) {
                d.put("reason", reason);
            }
            if (reportedVersion != null) {
                d.put("version", reportedVersion);
            }
            return new AuditRecord("releases.agent_" + state, "agent:" + agentId, d);
        }
    }

    /**
     * A release is deleted, with its artifact rows; each artifact blob no other release refers to
     * goes in the same transaction, so replicas free the same space as the primary. Whether the
     * release is in use was checked on the primary before this was submitted.
     *
     * @param reason {@code delete} for an operator's delete, {@code retention} for releases.keep
     */
    public record Delete(String id, String version, String reason) implements Mutation<List<String>> {
        public static final String KIND = "releases.delete";

        @Override
        public String kind() {
            return KIND;
        }

        /** @return the SHA-256 of each blob deleted */
        @Override
        public List<String> apply(MutationContext ctx) {
            if (ctx.db().deleteFrom(RELEASES).where(RELEASES.ID.eq(id)).execute() == 0) {
                throw TiyiException.notFound("no release " + id + " (" + version + "); it was deleted already (tiyi release list)");
            }
            List<String> shas = ctx.db().select(RELEASE_ARTIFACTS.SHA256).from(RELEASE_ARTIFACTS).where(RELEASE_ARTIFACTS.RELEASE_ID.eq(id))
                    .fetch(RELEASE_ARTIFACTS.SHA256);
            ctx.db().deleteFrom(RELEASE_ARTIFACTS).where(RELEASE_ARTIFACTS.RELEASE_ID.eq(id)).execute();
            List<String> freed = new java.util.ArrayList<>();
            for (String sha : shas) {
                if (!ctx.db().fetchExists(RELEASE_ARTIFACTS, RELEASE_ARTIFACTS.SHA256.eq(sha)) && Blobs.delete(ctx.db(), sha)) {
                    freed.add(sha);
                }
            }
            return freed;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("releases.delete", "release:" + id, Map.of("version", version, "reason", reason));
        }
    }

    /** A release's manifest signed again with a new bundle signing key, after a rotation. */
    public record Resign(String id, byte[] signature, String signedBy) implements Mutation<Void> {
        public static final String KIND = "releases.resign";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            ctx.db().update(RELEASES).set(RELEASES.SIGNATURE, signature).set(RELEASES.SIGNED_BY, signedBy).where(RELEASES.ID.eq(id)).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("releases.resign", "release:" + id, Map.of("signed_by", signedBy));
        }
    }

    /** The mutation types of releases and rollouts. */
    public static final class Kinds implements MutationKinds {
        @Override
        public List<Class<? extends Mutation<?>>> types() {
            return List.of(Import.class, StartRollout.class, SetTargetState.class, Delete.class, Resign.class);
        }
    }
}
