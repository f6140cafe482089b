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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases and rollouts on the control plane: importing a checked tarball, starting an apply or a
 * rollback, the command each targeted agent finds in its bundle, and the agents' progress as
 * their reports tell it.
 */
public final class Releases implements RpcService {
    private static final Logger LOG = LoggerFactory.getLogger(Releases.class);

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

    /** @param writable whether this node is the read-write primary, the only one that records rollout progress */
    public Releases(StateStore store, MutationPipeline pipeline, Blobs blobs, Fleet fleet, BooleanSupplier writable) {
        this.store = store;
        this.pipeline = pipeline;
        this.blobs = blobs;
        this.fleet = fleet;
        this.writable = writable;
    }

    /**
     * Checks a release tarball completely (manifest, every checksum, every entry), stores its
     * artifacts and records the release.
     */
    public Release importTarball(String actor, byte[] tarball) {
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
        pipeline.apply(actor, new ReleaseMutations.Import(id, m.version(), m.created(), manifestJson, rows));
        LOG.info("releases: imported {} as {} by {}", m.version(), id, actor);
        return release(id).orElseThrow();
    }

    /** Every release, newest import first. */
    public List<Release> list() {
        return store.read(db -> {
            List<Release> out = new ArrayList<>();
            for (ReleasesRecord r : db.selectFrom(RELEASES).orderBy(RELEASES.IMPORTED_AT.desc()).fetch()) {
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
        Map<String, Candidate> all = candidates();
        boolean named = agentIds != null && !agentIds.isEmpty();
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
            if (rel.version().equals(c.report().binaryVersion()) && !named) {
                skipped.add(id + " (already on " + rel.version() + ")");
                continue;
            }
            targets.add(new ReleaseMutations.Target(id, c.report().binaryVersion(), rel.version(), art.get().sha256(), art.get().size()));
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
