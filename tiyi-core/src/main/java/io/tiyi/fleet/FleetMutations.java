package io.tiyi.fleet;

import static io.tiyi.store.generated.Tables.AGENTS;
import static io.tiyi.store.generated.Tables.ENROLLMENT_TOKENS;

import io.tiyi.TiyiException;
import io.tiyi.bundle.Enrollment;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.store.MutationKinds;
import io.tiyi.store.generated.tables.records.EnrollmentTokensRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Enrollment tokens and agents are replicated state, changed only through these mutations. */
public final class FleetMutations {
    private FleetMutations() {}

    /** A new enrollment token; only its hash is stored. */
    public record IssueToken(String id, String tokenHash, String tag, long expiresAt) implements Mutation<Void> {
        public static final String KIND = "agents.issue_token";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            ctx.db().insertInto(ENROLLMENT_TOKENS).set(ENROLLMENT_TOKENS.ID, id).set(ENROLLMENT_TOKENS.TOKEN_HASH, tokenHash)
                    .set(ENROLLMENT_TOKENS.TAG, tag).set(ENROLLMENT_TOKENS.CREATED_AT, ctx.ts())
                    .set(ENROLLMENT_TOKENS.CREATED_BY, ctx.actor()).set(ENROLLMENT_TOKENS.EXPIRES_AT, expiresAt).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("agents.token_issued", "enrollment_token:" + id, Map.of("tag", tag, "expires_at", expiresAt));
        }

        @Override
        public String toString() {
            return "IssueToken[id=" + id + ", tag=" + tag + "]";
        }
    }

    /** Revokes an unused token. */
    public record RevokeToken(String id) implements Mutation<Void> {
        public static final String KIND = "agents.revoke_token";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            EnrollmentTokensRecord t = ctx.db().selectFrom(ENROLLMENT_TOKENS).where(ENROLLMENT_TOKENS.ID.eq(id)).fetchOne();
            if (t == null) {
                throw TiyiException.notFound("no enrollment token with id '" + id + "' (tiyi agents tokens list)");
            }
            if (t.getUsedAt() != null) {
                throw TiyiException.failedPrecondition("enrollment token " + id + " was already used by agent " + t.getUsedBy()
                        + "; revoke the agent instead (tiyi agents revoke " + t.getUsedBy() + ")");
            }
            if (t.getRevokedAt() == null) {
                t.setRevokedAt(ctx.ts());
                t.update();
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("agents.token_revoked", "enrollment_token:" + id, Map.of());
        }
    }

    /**
     * Spends a token and records the agent it enrolled, in one transaction: a token is used once
     * even when two agents present it at the same moment.
     */
    public record Enroll(String tokenHash, String agentId, String credentialHash, byte[] x25519Public, byte[] ed25519Public, String client)
            implements Mutation<String> {
        public static final String KIND = "agents.enroll";

        @Override
        public String kind() {
            return KIND;
        }

        /** Returns the agent's tag. */
        @Override
        public String apply(MutationContext ctx) {
            EnrollmentTokensRecord t = ctx.db().selectFrom(ENROLLMENT_TOKENS).where(ENROLLMENT_TOKENS.TOKEN_HASH.eq(tokenHash)).fetchOne();
            if (t == null) {
                throw TiyiException.unauthenticated("enrollment token is not valid: no such token was issued by this control plane");
            }
            if (t.getUsedAt() != null) {
                throw TiyiException.unauthenticated("enrollment token " + t.getId() + " was already used (by agent " + t.getUsedBy() + " at "
                        + Instant.ofEpochMilli(t.getUsedAt()) + "); tokens are single-use: issue a new one with tiyi agents issue-token");
            }
            if (t.getRevokedAt() != null) {
                throw TiyiException.unauthenticated("enrollment token " + t.getId() + " was revoked at " + Instant.ofEpochMilli(t.getRevokedAt())
                        + "; issue a new one with tiyi agents issue-token");
            }
            if (t.getExpiresAt() <= ctx.ts()) {
                throw TiyiException.unauthenticated("enrollment token " + t.getId() + " expired at " + Instant.ofEpochMilli(t.getExpiresAt())
                        + "; issue a new one with tiyi agents issue-token");
            }
            t.setUsedAt(ctx.ts());
            t.setUsedBy(agentId);
            t.update();
            ctx.db().insertInto(AGENTS).set(AGENTS.ID, agentId).set(AGENTS.TAG, t.getTag()).set(AGENTS.X25519_PUBLIC, x25519Public)
                    .set(AGENTS.ED25519_PUBLIC, ed25519Public).set(AGENTS.CREDENTIAL_HASH, credentialHash).set(AGENTS.ENROLLED_AT, ctx.ts())
                    .set(AGENTS.ENROLLED_FROM, client).execute();
            return t.getTag();
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("agents.enrolled", "agent:" + agentId, Map.of("from", client));
        }

        @Override
        public String toString() {
            return "Enroll[agent=" + agentId + ", from=" + client + "]";
        }
    }

    /** Revokes an agent's credential. */
    public record RevokeAgent(String agentId) implements Mutation<Void> {
        public static final String KIND = "agents.revoke";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            int n = ctx.db().update(AGENTS).set(AGENTS.REVOKED_AT, ctx.ts()).where(AGENTS.ID.eq(agentId)).and(AGENTS.REVOKED_AT.isNull())
                    .execute();
            if (n == 0 && !ctx.db().fetchExists(AGENTS, AGENTS.ID.eq(agentId))) {
                throw TiyiException.notFound("no agent with id '" + agentId + "' (tiyi agents list)");
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("agents.revoked", "agent:" + agentId, Map.of());
        }
    }

    /** The mutation types of the fleet and its bundle signing key. */
    public static final class Kinds implements MutationKinds {
        @Override
        public List<Class<? extends Mutation<?>>> types() {
            return List.of(IssueToken.class, RevokeToken.class, Enroll.class, RevokeAgent.class, SetSigningKey.class);
        }
    }
}
