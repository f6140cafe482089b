package io.tiyi.fleet;

import static io.tiyi.store.generated.Tables.AGENTS;
import static io.tiyi.store.generated.Tables.ENROLLMENT_TOKENS;

import io.tiyi.TiyiException;
import io.tiyi.bundle.AgentReport;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.internal.Text;
import io.tiyi.internal.Topic;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.AgentsRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The control plane's view of its agents: enrollment tokens and enrolled agents (replicated
 * state), and the agents' latest reports (in memory: they change every few seconds and are
 * re-sent after a restart).
 */
public final class Fleet {
    /** Longest enrollment token lifetime. */
    public static final Duration MAX_TTL = Duration.ofDays(30);
    static final String TOKEN_PREFIX = "tyt_";
    static final String CREDENTIAL_PREFIX = "tya_";

    private final StateStore store;
    private final MutationPipeline pipeline;
    private final Map<String, Seen> reports = new ConcurrentHashMap<>();
    private final Topic<Reported> reported = new Topic<>("agent reports");

    /** A report and when it arrived. */
    public record Seen(AgentReport report, long at, String from) {}

    /** An agent's report, as the features that act on reports hear of it. */
    public record Reported(String agentId, AgentReport report) {}

    /** A freshly issued token: the only time the token itself is known. */
    public record IssuedToken(String id, String token, String tag, long expiresAt) {}

    /** A token as listed: never the token itself. */
    public record TokenInfo(String id, String tag, long createdAt, String createdBy, long expiresAt, String state, String usedBy) {}

    /** An enrolled agent. */
    public record Agent(String id, String tag, byte[] x25519Public, long enrolledAt, String enrolledFrom, boolean revoked) {}

    /** What enrollment hands back to the agent. */
    public record Enrolled(String agentId, String credential, String tag) {}

    public Fleet(StateStore store, MutationPipeline pipeline) {
        this.store = store;
        this.pipeline = pipeline;
    }

    public IssuedToken issueToken(String actor, String tag, Duration ttl) {
        Text.requirePlain("tag", tag);
        if (tag == null || !tag.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw TiyiException.invalid("--tag must be 1-63 characters of a-z, 0-9, '.', '_' or '-' starting with a letter or digit, got '"
                    + tag + "'");
        }
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw TiyiException.invalid("ttl must be more than 0 and at most 720h, got " + ttl);
        }
        String token = TOKEN_PREFIX + RandomTokens.token(32);
        String id = RandomTokens.sha256Hex(token).substring(0, 12);
        long expires = System.currentTimeMillis() + ttl.toMillis();
        pipeline.apply(actor, new FleetMutations.IssueToken(id, RandomTokens.sha256Hex(token), tag, expires));
        return new IssuedToken(id, token, tag, expires);
    }

    public List<TokenInfo> tokens() {
        long now = System.currentTimeMillis();
        return store.read(db -> db.selectFrom(ENROLLMENT_TOKENS).orderBy(ENROLLMENT_TOKENS.CREATED_AT).fetch(t -> new TokenInfo(t.getId(),
                t.getTag(), t.getCreatedAt(), t.getCreatedBy(), t.getExpiresAt(), t.getUsedAt() != null ? "used"
                        : t.getRevokedAt() != null ? "revoked" : t.getExpiresAt() <= now ? "expired" : "active",
                t.getUsedBy())));
    }

    public void revokeToken(String actor, String id) {
        pipeline.apply(actor, new FleetMutations.RevokeToken(id));
    }

    /**
     * Enrolls an agent with a token; the token is spent in the same transaction.
     *
     * @throws TiyiException naming why a token is refused: unknown, used, revoked or expired
     */
    public Enrolled enroll(String token, byte[] x25519Public, byte[] ed25519Public, String client) {
        if (token == null || !token.startsWith(TOKEN_PREFIX)) {
            throw TiyiException.unauthenticated("enrollment token is not valid: tokens start with " + TOKEN_PREFIX
                    + " (tiyi agents issue-token prints one)");
        }
        if (x25519Public == null || x25519Public.length != 32 || ed25519Public == null || ed25519Public.length != 32) {
            throw TiyiException.invalid("enrollment needs the agent's 32-byte X25519 and ed25519 public keys");
        }
        String agentId = "ag-" + RandomTokens.sha256Hex(RandomTokens.token(16)).substring(0, 12);
        String credential = CREDENTIAL_PREFIX + agentId + "_" + RandomTokens.token(32);
        String tag = pipeline.apply("agent:" + agentId, new FleetMutations.Enroll(RandomTokens.sha256Hex(token), agentId,
                RandomTokens.sha256Hex(credential), x25519Public, ed25519Public, client)).result();
        return new Enrolled(agentId, credential, tag);
    }

    /**
     * Checks that {@code token} would enroll a secondary now, without spending it: a new secondary
     * fetches the primary's snapshot with it and enrolls only once the snapshot is safely on disk.
     *
     * @throws TiyiException naming why the token is refused: unknown, used, revoked, expired, or not tagged secondary
     */
    public void checkSecondaryToken(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX)) {
            throw TiyiException.unauthenticated("enrollment token is not valid: tokens start with " + TOKEN_PREFIX
                    + " (tiyi agents issue-token --tag " + io.tiyi.api.AgentIdentity.SECONDARY_TAG + " prints one)");
        }
        String hash = RandomTokens.sha256Hex(token);
        var t = store.read(db -> db.selectFrom(ENROLLMENT_TOKENS).where(ENROLLMENT_TOKENS.TOKEN_HASH.eq(hash)).fetchOne());
        if (t == null) {
            throw TiyiException.unauthenticated("enrollment token is not valid: no such token was issued by this control plane");
        }
        if (t.getUsedAt() != null || t.getRevokedAt() != null || t.getExpiresAt() <= System.currentTimeMillis()) {
            throw TiyiException.unauthenticated("enrollment token " + t.getId() + " is " + (t.getUsedAt() != null ? "already used"
                    : t.getRevokedAt() != null ? "revoked" : "expired") + "; issue a new one with tiyi agents issue-token --tag "
                    + io.tiyi.api.AgentIdentity.SECONDARY_TAG);
        }
        if (!io.tiyi.api.AgentIdentity.SECONDARY_TAG.equals(t.getTag())) {
            throw TiyiException.permissionDenied("enrollment token " + t.getId() + " was issued with tag '" + t.getTag()
                    + "'; a secondary needs one issued with tiyi agents issue-token --tag " + io.tiyi.api.AgentIdentity.SECONDARY_TAG);
        }
    }

    /** The agent a credential belongs to, unless it is unknown or revoked. */
    public Optional<Agent> authenticate(String credential) {
        if (credential == null || !credential.startsWith(CREDENTIAL_PREFIX)) {
            return Optional.empty();
        }
        String hash = RandomTokens.sha256Hex(credential);
        return store.read(db -> db.selectFrom(AGENTS).where(AGENTS.CREDENTIAL_HASH.eq(hash)).fetchOptional()).map(Fleet::agent)
                .filter(a -> !a.revoked());
    }

    /** The id of the agent a credential belongs to, unless it is unknown or revoked. */
    public Optional<String> authenticatedAgentId(String credential) {
        return authenticate(credential).map(Agent::id);
    }

    /** Every enrolled agent, revoked ones included. */
    public List<Agent> agents() {
        return store.read(db -> db.selectFrom(AGENTS).orderBy(AGENTS.ENROLLED_AT).fetch(Fleet::agent));
    }

    public Optional<Agent> agent(String id) {
        return store.read(db -> db.selectFrom(AGENTS).where(AGENTS.ID.eq(id)).fetchOptional()).map(Fleet::agent);
    }

    public void revoke(String actor, String id) {
        pipeline.apply(actor, new FleetMutations.RevokeAgent(id));
        reports.remove(id);
    }

    /** Records an agent's report and tells every subscriber. */
    public void report(String agentId, AgentReport report, String from) {
        reports.put(agentId, new Seen(report, System.currentTimeMillis(), from));
        reported.publish(new Reported(agentId, report));
    }

    /** Calls {@code subscriber} with every later report (on the thread that received it). */
    public void onReport(Consumer<Reported> subscriber) {
        reported.subscribe(subscriber);
    }

    public Optional<Seen> lastReport(String agentId) {
        return Optional.ofNullable(reports.get(agentId));
    }

    /** Agents that reported within {@code window}. */
    public long connected(Duration window) {
        long since = System.currentTimeMillis() - window.toMillis();
        return reports.values().stream().filter(s -> s.at() >= since).count();
    }

    private static Agent agent(AgentsRecord r) {
        return new Agent(r.getId(), r.getTag(), r.getX25519Public(), r.getEnrolledAt(), r.getEnrolledFrom(), r.getRevokedAt() != null);
    }
}
