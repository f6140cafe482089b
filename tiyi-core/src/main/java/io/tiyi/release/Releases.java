package io.tiyi.release;

import static io.tiyi.store.generated.Tables.RELEASES;
import static io.tiyi.store.generated.Tables.RELEASE_ARTIFACTS;
import static io.tiyi.store.generated.Tables.ROLLOUTS;
import static io.tiyi.store.generated.Tables.ROLLOUT_TARGETS;

import io.tiyi.TiyiException;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.bundle.AgentReport;
import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.SignedRelease;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.fleet.Fleet;
import io.tiyi.internal.Text;
import io.tiyi.store.Blobs;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.ReleaseArtifactsRecord;
import io.tiyi.store.generated.tables.records.ReleasesRecord;
import io.tiyi.store.generated.tables.records.RolloutTargetsRecord;
import io.tiyi.store.generated.tables.records.RolloutsRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases and rollouts on the control plane: importing a checked tarball and signing its
 * manifest, deleting releases (by hand or by {@code releases.keep}) with their artifact blobs,
 * starting an apply or a rollback, the command each targeted agent finds in its bundle, and the
 * agents' progress as their reports tell it.
 *
 * <p>The manifest is signed at import with the bundle signing key, and signed again when that key
 * rotates, rather than at apply time: a manifest changed in state.db after import then fails at
 * the agent instead of being signed as it now reads.
 */
public final class Releases implements RpcService {
    private static final Logger LOG = LoggerFactory.getLogger(Releases.class);
    // Two imports in one millisecond still list in the order they were made.
    private static final org.jooq.Field<Long> ROWID = org.jooq.impl.DSL.field(org.jooq.impl.DSL.name("releases", "rowid"), Long.class);

    /**
     * An imported release.
     *
     * @param id its id, {@code rel-} and 10 hex digits of the manifest's hash
     * @param version the Tiyi version it carries
     * @param created when it was built
     * @param artifacts one per OS/arch
     * @param importedAt when, ms
     * @param importedBy by whom
     */
    public record Release(String id, String version, String created, List<ReleaseMutations.ArtifactRow> artifacts, long importedAt,
            String importedBy) {}

    /**
     * A rollout and where each agent is in it.
     *
     * @param id its id (the seq that started it)
     * @param kind {@code apply} or {@code rollback}
     * @param releaseId the release applied, or null for a rollback
     * @param version the version applied, or null for a rollback
     * @param createdAt when, ms
     * @param createdBy by whom
     * @param agents per agent
     */
    public record Rollout(long id, String kind, String releaseId, String version, long createdAt, String createdBy, List<AgentState> agents) {}

    /**
     * One agent of a rollout.
     *
     * @param agentId the agent
     * @param state {@code pending}, {@code downloading}, {@code verified}, {@code restarting}, {@code healthy} or {@code failed}
     * @param reason why it failed, or null
     * @param fromVersion what it ran before
     * @param toVersion what it is to run
     * @param reportedVersion the binary version it reports now
     * @param updatedAt when the state last changed, ms
     */
    public record AgentState(String agentId, String state, String reason, String fromVersion, String toVersion, String reportedVersion,
            long updatedAt) {}

    private final StateStore store;
    private final MutationPipeline pipeline;
    private final Blobs blobs;
    private final Fleet fleet;
    private final BooleanSupplier writable;
    private final Supplier<Ed25519KeyPair> signingKey;
    private final IntSupplier keep;

    /**
     * A release deleted by an operator or by retention.
     *
     * @param id its id
     * @param version its version
     * @param freedBlobs the SHA-256 of each artifact blob deleted with it (one another release shares stays)
     */
    public record Deleted(String id, String version, List<String> freedBlobs) {}

    /**
     * @param writable whether this node is the read-write primary, the only one that records rollout progress
     * @param signingKey the bundle signing key, which signs each imported manifest
     * @param keep the {@code releases.keep} setting: how many of the newest releases retention keeps (0: all)
     */
    public Releases(StateStore store, MutationPipeline pipeline, Blobs blobs, Fleet fleet, BooleanSupplier writable,
            Supplier<Ed25519KeyPair> signingKey, IntSupplier keep) {
        this.store = store;
        this.pipeline = pipeline;
        this.blobs = blobs;
        this.fleet = fleet;
        this.writable = writable;
        this.signingKey = signingKey;
        this.keep = keep;
    }

    /**
     * Checks a release tarball completely (manifest, every checksum, every entry), stores its
     * artifacts, signs its manifest with the bundle signing key and records the release; then
     * retention ({@code releases.keep}) deletes the oldest releases not in use.
     *
     * @param expectedSha256 the tarball's SHA-256 as its publisher gave it, or null to trust the bytes as they came
     */
    public Release importTarball(String actor, byte[] tarball, String expectedSha256) {
        if (expectedSha256 != null) {
            String want = expectedSha256.strip().toLowerCase(java.util.Locale.ROOT);
            if (!want.matches("[0-9a-f]{64}")) {
                throw TiyiException.invalid("sha256 '" + expectedSha256 + "' is not 64 hex digits: give the SHA-256 the publisher lists for the tarball");
            }
            String got = Blobs.sha256(tarball);
            if (!got.equals(want)) {
                throw TiyiException.invalid("release tarball refused: its SHA-256 is " + got + ", not the expected " + want
                        + "; it is not the tarball the publisher released, do not import it");
            }
        }
        ReleaseTarball t;
        try {
            t = ReleaseTarball.read(new java.io.ByteArrayInputStream(tarball), ReleaseTarball.Limits.DEFAULT);
        } catch (java.io.IOException e) {
            throw TiyiException.invalid("release tarball refused: " + e.getMessage());
        }
        ReleaseManifest m = t.manifest();
        String manifestJson = io.tiyi.internal.Json.write(m);
        String id = "rel-" + Blobs.sha256(manifestJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 10);
        List<ReleaseMutations.ArtifactRow> rows = new ArrayList<>();
        for (ReleaseManifest.Artifact a : m.artifacts()) {
            blobs.put(a.sha256(), t.shared(a.name()));
            rows.add(new ReleaseMutations.ArtifactRow(a.name(), a.os(), a.arch(), a.size(), a.sha256(), a.entryPoint()));
        }
        Ed25519KeyPair key = signingKey.get();
        SignedRelease signed = SignedRelease.sign(manifestJson, key);
        pipeline.apply(actor, new ReleaseMutations.Import(id, m.version(), m.created(), manifestJson, rows, signed.signature(),
                Ed25519KeyPair.fingerprint(key.publicKey())));
        LOG.info("releases: imported {} as {} by {}, manifest signed with {}", m.version(), id, actor, Ed25519KeyPair.fingerprint(key.publicKey()));
        Release imported = release(id).orElseThrow();
        retain(actor, id);
        return imported;
    }

    /**
     * Deletes a release and the artifact blobs no other release refers to; refused while the
     * release is in use (see {@link #inUse}).
     */
    public Deleted delete(String actor, String releaseIdOrVersion) {
        Text.requirePlain("release", releaseIdOrVersion);
        Release rel = release(releaseIdOrVersion).orElseThrow(() -> TiyiException.notFound("no release '" + releaseIdOrVersion
                + "' (tiyi release list)"));
        List<String> uses = inUse(rel);
        if (!uses.isEmpty()) {
            throw TiyiException.failedPrecondition("release " + rel.version() + " (" + rel.id() + ") is in use and was not deleted: "
                    + String.join("; ", uses));
        }
        return remove(actor, rel, "delete");
    }

    private Deleted remove(String actor, Release rel, String reason) {
        List<String> freed = pipeline.apply(actor, new ReleaseMutations.Delete(rel.id(), rel.version(), reason)).result();
        LOG.info("releases: deleted {} ({}) by {} ({}); {} artifact blob(s) freed", rel.version(), rel.id(), actor, reason, freed.size());
        return new Deleted(rel.id(), rel.version(), freed);
    }

    /**
     * Keeps the {@code releases.keep} newest imports and deletes older ones, except those in use:
     * they stay, and are deleted by a later import once nothing uses them.
     */
    private void retain(String actor, String imported) {
        int n = keep.getAsInt();
        if (n <= 0) {
            return;
        }
        List<Release> all = list();
        for (Release old : all.subList(Math.min(n, all.size()), all.size())) {
            List<String> uses = inUse(old);
            if (old.id().equals(imported)) {
                continue;
            }
            if (uses.isEmpty()) {
                remove(actor, old, "retention");
            } else {
                LOG.info("releases: keeping {} beyond releases.keep={}: {}", old.version(), n, String.join("; ", uses));
            }
        }
    }

    /**
     * Why a release must stay, or nothing: it is being applied in an unfinished rollout, an agent
     * reports it runs its version, or an agent's last upgrade came from it, so that
     * {@code tiyi release rollback} would return there.
     */
    List<String> inUse(Release rel) {
        List<String> uses = new ArrayList<>();
        store.read(db -> db.select(ROLLOUT_TARGETS.ROLLOUT_ID, ROLLOUT_TARGETS.AGENT_ID, ROLLOUT_TARGETS.STATE).from(ROLLOUT_TARGETS)
                .join(ROLLOUTS).on(ROLLOUTS.ID.eq(ROLLOUT_TARGETS.ROLLOUT_ID)).where(ROLLOUTS.RELEASE_ID.eq(rel.id())).fetch())
                .forEach(r -> {
                    if (!RolloutState.fromWire(r.value3()).terminal()) {
                        uses.add("rollout " + r.value1() + " is applying it to agent " + r.value2() + " (tiyi release runs)");
                    }
                });
        for (Fleet.Agent a : fleet.agents()) {
            if (!a.revoked() && fleet.lastReport(a.id()).map(s -> rel.version().equals(s.report().binaryVersion())).orElse(false)) {
                uses.add("agent " + a.id() + " runs it");
            }
        }
        lastTargets().forEach((agent, t) -> {
            if (rel.version().equals(t.getFromVersion()) && RolloutState.HEALTHY.wireName().equals(t.getState()) && !isRollback(t.getRolloutId())) {
                uses.add("agent " + agent + " would roll back to it (tiyi release rollback)");
            }
        });
        return uses;
    }

    /**
     * Signs again, with the new key, every manifest the outgoing key signed, so that agents
     * re-enrolled under the new key accept those releases; a manifest whose signature does not
     * verify with the outgoing key is left as it is, and agents refuse it.
     */
    public void signingKeyRotated(byte[] previousPublicKey, String actor) {
        String previous = Ed25519KeyPair.fingerprint(previousPublicKey);
        Ed25519KeyPair next = signingKey.get();
        String fp = Ed25519KeyPair.fingerprint(next.publicKey());
        for (ReleasesRecord r : store.read(db -> db.selectFrom(RELEASES).fetch())) {
            if (!previous.equals(r.getSignedBy()) || !new SignedRelease(r.getManifest(), r.getSignature()).verifiesWith(previousPublicKey)) {
                LOG.warn("releases: release {} was not signed by the outgoing key {}; not re-signed, agents will refuse it:"
                        + " delete it and import its tarball again", r.getVersion(), previous);
                continue;
            }
            pipeline.apply(actor, new ReleaseMutations.Resign(r.getId(), SignedRelease.sign(r.getManifest(), next).signature(), fp));
        }
    }

    /** Every release, newest import first. */
    public List<Release> list() {
        return store.read(db -> {
            List<Release> out = new ArrayList<>();
            for (ReleasesRecord r : db.selectFrom(RELEASES).orderBy(RELEASES.IMPORTED_AT.desc(), ROWID.desc()).fetch()) {
                out.add(release(r, db.selectFrom(RELEASE_ARTIFACTS).where(RELEASE_ARTIFACTS.RELEASE_ID.eq(r.getId()))
                        .orderBy(RELEASE_ARTIFACTS.NAME).fetch()));
            }
            return out;
        });
    }

    /** A release by id or by version. */
    public Optional<Release> release(String idOrVersion) {
        return list().stream().filter(r -> r.id().equals(idOrVersion) || r.version().equals(idOrVersion)).findFirst();
    }

    private static Release release(ReleasesRecord r, List<ReleaseArtifactsRecord> arts) {
        return new Release(r.getId(), r.getVersion(), r.getCreated(), arts.stream().map(a -> new ReleaseMutations.ArtifactRow(a.getName(),
                a.getOs(), a.getArch(), a.getSize(), a.getSha256(), a.getEntryPoint())).toList(), r.getImportedAt(), r.getImportedBy());
    }

    /** A standalone agent that reported itself: the only kind a rollout can upgrade. */
    private record Candidate(Fleet.Agent agent, AgentReport report) {}

    private Map<String, Candidate> candidates() {
        Map<String, Candidate> out = new LinkedHashMap<>();
        for (Fleet.Agent a : fleet.agents()) {
            if (a.revoked()) {
                continue;
            }
            Optional<Fleet.Seen> seen = fleet.lastReport(a.id());
            // An agent embedded in a control-plane node runs that node's binary: upgrade the node instead.
            if (seen.isPresent() && seen.get().report().nodeApi() != null) {
                continue;
            }
            out.put(a.id(), new Candidate(a, seen.map(Fleet.Seen::report).orElse(null)));
        }
        return out;
    }

    /**
     * Starts upgrading agents to a release: the named ones (a wave), or every standalone agent
     * whose OS and architecture one of its artifacts matches.
     */
    public Rollout apply(String actor, String releaseIdOrVersion, List<String> agentIds) {
        Text.requirePlain("release", releaseIdOrVersion);
        Text.requirePlain("agent_ids", agentIds);
        Release rel = release(releaseIdOrVersion).orElseThrow(() -> TiyiException.notFound("no release '" + releaseIdOrVersion
                + "' (tiyi release list)"));
        if (!signed(rel.id())) {
            throw TiyiException.failedPrecondition("release " + rel.version() + " was imported before releases were signed and agents refuse it;"
                    + " delete it (tiyi release delete " + rel.version() + ") and import its tarball again");
        }
        Map<String, Candidate> all = candidates();
        boolean named = agentIds != null && !agentIds.isEmpty();
        List<String> already = new ArrayList<>();
        List<String> newer = new ArrayList<>();
        List<ReleaseMutations.Target> targets = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<String, RolloutTargetsRecord> last = lastTargets();
        for (String id : named ? agentIds : List.copyOf(all.keySet())) {
            Candidate c = all.get(id);
            if (c == null) {
                throw TiyiException.invalid("agent " + id + " cannot be upgraded: it is not an enrolled standalone agent (tiyi agents list)");
            }
            RolloutTargetsRecord busy = last.get(id);
            if (busy != null && !RolloutState.fromWire(busy.getState()).terminal()) {
                if (named) {
                    throw TiyiException.failedPrecondition("agent " + id + " is still in rollout " + busy.getRolloutId() + " (" + busy.getState()
                            + "); wait for it to finish (tiyi release runs)");
                }
                skipped.add(id + " (in rollout " + busy.getRolloutId() + ")");
                continue;
            }
            if (c.report() == null) {
                if (named) {
                    throw TiyiException.failedPrecondition("agent " + id + " has not reported its OS and architecture yet; wait for it to connect");
                }
                skipped.add(id + " (no report yet)");
                continue;
            }
            Optional<ReleaseMutations.ArtifactRow> art = rel.artifacts().stream().filter(a -> matches(a, c.report())).findFirst();
            if (art.isEmpty()) {
                if (named) {
                    throw TiyiException.invalid("release " + rel.version() + " has no artifact for agent " + id + " (" + c.report().os() + "/"
                            + c.report().arch() + ")");
                }
                skipped.add(id + " (" + c.report().os() + "/" + c.report().arch() + ")");
                continue;
            }
            // Decided here, from the agent's last report, so that nothing is downloaded to be refused.
            if (rel.version().equals(c.report().binaryVersion())) {
                already.add(id);
                skipped.add(id + " (already on " + rel.version() + ")");
                continue;
            }
            if (newer(c.report().binaryVersion(), rel.version())) {
                newer.add(id + " (" + c.report().binaryVersion() + ")");
                skipped.add(id + " (runs newer " + c.report().binaryVersion() + ")");
                continue;
            }
            targets.add(new ReleaseMutations.Target(id, c.report().binaryVersion(), rel.version(), art.get().sha256(), art.get().size()));
        }
        if (named && !already.isEmpty()) {
            throw TiyiException.failedPrecondition("agent" + (already.size() == 1 ? " " : "s ") + String.join(", ", already)
                    + (already.size() == 1 ? " already runs" : " already run") + " tiyi " + rel.version() + "; nothing was started:"
                    + " leave " + (already.size() == 1 ? "it" : "them") + " out of --agents");
        }
        if (named && !newer.isEmpty()) {
            throw TiyiException.failedPrecondition("an apply never downgrades: agent(s) " + String.join(", ", newer) + " run a version newer than "
                    + rel.version() + "; nothing was started. To go back to the binary an agent ran before, use tiyi release rollback");
        }
        if (targets.isEmpty()) {
            throw TiyiException.failedPrecondition("no agent to upgrade to " + rel.version() + (skipped.isEmpty() ? "" : "; skipped: "
                    + String.join(", ", skipped)));
        }
        long id = pipeline.apply(actor, new ReleaseMutations.StartRollout("apply", rel.id(), rel.version(), targets)).result();
        LOG.info("releases: rollout {} of {} to {} agent(s) started by {}{}", id, rel.version(), targets.size(), actor,
                skipped.isEmpty() ? "" : "; skipped " + String.join(", ", skipped));
        return rollout(id).orElseThrow();
    }

    /** Whether {@code running} is a release version above {@code version}; a dev build's unparsable version is never newer. */
    private static boolean newer(String running, String version) {
        try {
            return SignedRelease.compareVersions(running, version) > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean signed(String releaseId) {
        return store.read(db -> db.fetchExists(RELEASES, RELEASES.ID.eq(releaseId).and(RELEASES.SIGNATURE.isNotNull())));
    }

    static boolean matches(ReleaseMutations.ArtifactRow a, AgentReport r) {
        return ("any".equals(a.os()) || a.os().equals(r.os())) && ("any".equals(a.arch()) || a.arch().equals(r.arch()));
    }

    /**
     * Points agents back at the binary they ran before their last upgrade: the named ones, or
     * every agent whose last rollout was an apply.
     */
    public Rollout rollback(String actor, List<String> agentIds) {
        Text.requirePlain("agent_ids", agentIds);
        Map<String, Candidate> all = candidates();
        Map<String, RolloutTargetsRecord> last = lastTargets();
        List<ReleaseMutations.Target> targets = new ArrayList<>();
        List<String> ids = agentIds != null && !agentIds.isEmpty() ? agentIds : List.copyOf(last.keySet());
        boolean named = agentIds != null && !agentIds.isEmpty();
        List<String> skipped = new ArrayList<>();
        for (String id : ids) {
            if (!all.containsKey(id)) {
                if (!named) {
                    skipped.add(id + " (revoked or embedded)");
                    continue;
                }
                throw TiyiException.invalid("agent " + id + " cannot be rolled back: it is not an enrolled standalone agent (tiyi agents list)");
            }
            RolloutTargetsRecord t = last.get(id);
            if (t == null) {
                throw TiyiException.failedPrecondition("agent " + id + " has no upgrade to roll back");
            }
            if (!RolloutState.fromWire(t.getState()).terminal()) {
                if (!named) {
                    skipped.add(id + " (in rollout " + t.getRolloutId() + ")");
                    continue;
                }
                throw TiyiException.failedPrecondition("agent " + id + " is still in rollout " + t.getRolloutId() + " (" + t.getState()
                        + "); wait for it to finish");
            }
            if (isRollback(t.getRolloutId())) {
                if (named) {
                    throw TiyiException.failedPrecondition("agent " + id + " was already rolled back in rollout " + t.getRolloutId());
                }
                continue;
            }
            AgentReport r = all.get(id).report();
            targets.add(new ReleaseMutations.Target(id, r == null ? t.getToVersion() : r.binaryVersion(), t.getFromVersion(), null, 0));
        }
        if (targets.isEmpty()) {
            throw TiyiException.failedPrecondition("no agent to roll back: none was upgraded since its last rollback"
                    + (skipped.isEmpty() ? "" : "; skipped: " + String.join(", ", skipped)));
        }
        long id = pipeline.apply(actor, new ReleaseMutations.StartRollout("rollback", null, null, targets)).result();
        LOG.info("releases: rollback {} of {} agent(s) started by {}{}", id, targets.size(), actor,
                skipped.isEmpty() ? "" : "; skipped " + String.join(", ", skipped));
        return rollout(id).orElseThrow();
    }

    private boolean isRollback(long rolloutId) {
        return store.read(db -> "rollback".equals(db.select(ROLLOUTS.KIND).from(ROLLOUTS).where(ROLLOUTS.ID.eq(rolloutId)).fetchOne(
                ROLLOUTS.KIND)));
    }

    /** Each agent's row in its latest rollout. */
    private Map<String, RolloutTargetsRecord> lastTargets() {
        return store.read(db -> {
            Map<String, RolloutTargetsRecord> m = new LinkedHashMap<>();
            for (RolloutTargetsRecord t : db.selectFrom(ROLLOUT_TARGETS).orderBy(ROLLOUT_TARGETS.ROLLOUT_ID).fetch()) {
                m.put(t.getAgentId(), t);
            }
            return m;
        });
    }

    /** Rollouts, newest first. */
    public List<Rollout> runs(int limit) {
        return store.read(db -> {
            List<Rollout> out = new ArrayList<>();
            for (RolloutsRecord r : db.selectFrom(ROLLOUTS).orderBy(ROLLOUTS.ID.desc()).limit(limit).fetch()) {
                out.add(rollout(r, db.selectFrom(ROLLOUT_TARGETS).where(ROLLOUT_TARGETS.ROLLOUT_ID.eq(r.getId()))
                        .orderBy(ROLLOUT_TARGETS.AGENT_ID).fetch()));
            }
            return out;
        });
    }

    public Optional<Rollout> rollout(long id) {
        return store.read(db -> db.selectFrom(ROLLOUTS).where(ROLLOUTS.ID.eq(id)).fetchOptional().map(r -> rollout(r,
                db.selectFrom(ROLLOUT_TARGETS).where(ROLLOUT_TARGETS.ROLLOUT_ID.eq(id)).orderBy(ROLLOUT_TARGETS.AGENT_ID).fetch())));
    }

    private Rollout rollout(RolloutsRecord r, List<RolloutTargetsRecord> ts) {
        List<AgentState> agents = new ArrayList<>();
        for (RolloutTargetsRecord t : ts) {
            String now = fleet.lastReport(t.getAgentId()).map(s -> s.report().binaryVersion()).orElse(t.getReportedVersion());
            agents.add(new AgentState(t.getAgentId(), t.getState(), t.getReason(), t.getFromVersion(), t.getToVersion(), now, t.getUpdatedAt()));
        }
        return new Rollout(r.getId(), r.getKind(), r.getReleaseId(), r.getVersion(), r.getCreatedAt(), r.getCreatedBy(), agents);
    }

    /** The bytes of the artifact {@code agentId}'s current rollout command names: an agent gets nothing else. */
    public byte[] artifact(String agentId, String sha256) {
        boolean assigned = commandsFor(agentId).stream().anyMatch(c -> sha256.equals(c.args().get("sha256")));
        if (!assigned) {
            throw TiyiException.permissionDenied("agent " + agentId + " has no rollout command for the artifact " + sha256);
        }
        return blobs.get(sha256).orElseThrow(() -> TiyiException.notFound("release artifact " + sha256 + " is not stored on this node"));
    }

    /** The command for {@code agentId} in its bundle: its unfinished rollout, if any. */
    public List<Bundle.AgentCommand> commandsFor(String agentId) {
        RolloutTargetsRecord t = store.read(db -> db.selectFrom(ROLLOUT_TARGETS).where(ROLLOUT_TARGETS.AGENT_ID.eq(agentId))
                .orderBy(ROLLOUT_TARGETS.ROLLOUT_ID.desc()).limit(1).fetchOne());
        if (t == null || RolloutState.fromWire(t.getState()).terminal()) {
            return List.of();
        }
        // One agent at a time, in agent-id order: the next gets its command once the one before is healthy.
        String next = store.read(db -> db.select(ROLLOUT_TARGETS.AGENT_ID).from(ROLLOUT_TARGETS).where(ROLLOUT_TARGETS.ROLLOUT_ID
                .eq(t.getRolloutId())).and(ROLLOUT_TARGETS.STATE.notIn(RolloutState.HEALTHY.wireName(), RolloutState.FAILED.wireName()))
                .orderBy(ROLLOUT_TARGETS.AGENT_ID).limit(1).fetchOne(ROLLOUT_TARGETS.AGENT_ID));
        if (!agentId.equals(next)) {
            return List.of();
        }
        Map<String, String> args = new LinkedHashMap<>();
        args.put("rollout_id", Long.toString(t.getRolloutId()));
        if (t.getArtifactSha256() != null) {
            args.put("version", t.getToVersion());
            args.put("sha256", t.getArtifactSha256());
            args.put("size", Long.toString(t.getArtifactSize()));
            // The agent installs only what this manifest, signed at import, says: its pinned key checks it.
            ReleasesRecord rel = store.read(db -> db.selectFrom(RELEASES).where(RELEASES.ID.eq(db.select(ROLLOUTS.RELEASE_ID).from(ROLLOUTS)
                    .where(ROLLOUTS.ID.eq(t.getRolloutId())))).fetchOne());
            if (rel != null && rel.getSignature() != null) {
                args.put("manifest", rel.getManifest());
                args.put("manifest_signature", new SignedRelease(rel.getManifest(), rel.getSignature()).signatureBase64());
            }
            return List.of(new Bundle.AgentCommand(commandId(t.getRolloutId()), Bundle.AgentCommand.APPLY_BINARY, args));
        }
        return List.of(new Bundle.AgentCommand(commandId(t.getRolloutId()), Bundle.AgentCommand.ROLLBACK_BINARY, args));
    }

    public static String commandId(long rolloutId) {
        return "rollout-" + rolloutId;
    }

    /** Records what an agent's report says of its rollout, when it moves it forward (on the read-write primary). */
    public void onReport(Fleet.Reported reported) {
        String agentId = reported.agentId();
        AgentReport report = reported.report();
        AgentReport.Rollout r = report.rollout();
        if (r == null || !writable.getAsBoolean()) {
            return;
        }
        RolloutTargetsRecord t = store.read(db -> db.selectFrom(ROLLOUT_TARGETS).where(ROLLOUT_TARGETS.ROLLOUT_ID.eq(r.rolloutId()))
                .and(ROLLOUT_TARGETS.AGENT_ID.eq(agentId)).fetchOne());
        RolloutState next;
        try {
            next = RolloutState.fromWire(r.state());
        } catch (IllegalArgumentException e) {
            return;
        }
        if (t == null || !RolloutState.fromWire(t.getState()).canMoveTo(next)) {
            return;
        }
        pipeline.submit("agent:" + agentId, new ReleaseMutations.SetTargetState(r.rolloutId(), agentId, next.wireName(), r.reason(),
                report.binaryVersion()));
        if (next == RolloutState.FAILED) {
            LOG.warn("releases: agent {} failed rollout {}: {}; see tiyi release runs", agentId, r.rolloutId(), r.reason());
        }
    }

    /** How many agents are in each state in unfinished and finished rollouts, for metrics. */
    public Map<RolloutState, Long> targetsByState() {
        Map<RolloutState, Long> m = new LinkedHashMap<>();
        for (RolloutState s : RolloutState.values()) {
            m.put(s, 0L);
        }
        lastTargets().values().forEach(t -> m.merge(RolloutState.fromWire(t.getState()), 1L, Long::sum));
        return m;
    }

    @Override
    public void register(RpcRegistry registry) {
        ReleasesRpc.register(registry, this);
    }
}
