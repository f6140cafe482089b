package io.tiyi.auth;

import static io.tiyi.store.generated.Tables.REFRESH_TOKENS;
import static io.tiyi.store.generated.Tables.USERS;

import io.tiyi.TiyiException;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.store.generated.tables.records.RefreshTokensRecord;
import java.util.Map;

/** Refresh tokens are replicated state: issued, rotated and revoked through mutations. Only their hashes are stored. */
public final class RefreshTokenMutations {
    private RefreshTokenMutations() {}

    /**
     * A login: the first token of a new family.
     *
     * @param uid the user's immutable id, so that a token is never given to a later user of the
     *     same name; null only in entries logged before uids existed
     */
    public record Issue(String tokenHash, String familyId, String user, long expiresAt, String client, String uid) implements Mutation<Void> {
        public static final String KIND = "auth.login";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            Long userId = ctx.db().select(USERS.ID).from(USERS).where(uid == null ? USERS.NAME.eq(user) : USERS.UID.eq(uid))
                    .fetchOne(USERS.ID, Long.class);
            if (userId == null) {
                throw TiyiException.unauthenticated("user '" + user + "' no longer exists");
            }
            ctx.db().insertInto(REFRESH_TOKENS)
                    .set(REFRESH_TOKENS.TOKEN_HASH, tokenHash).set(REFRESH_TOKENS.FAMILY_ID, familyId)
                    .set(REFRESH_TOKENS.USER_ID, userId.intValue()).set(REFRESH_TOKENS.CREATED_AT, ctx.ts())
                    .set(REFRESH_TOKENS.EXPIRES_AT, expiresAt).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("auth.login", "user:" + user, Map.of("client", client));
        }

        @Override
        public String toString() {
            return "Issue[user=" + user + ", family=" + familyId + "]";
        }
    }

    /** Uses a refresh token once and replaces it with the next one of the family. */
    public record Rotate(String oldHash, String newHash, String user, long expiresAt) implements Mutation<Void> {
        public static final String KIND = "auth.refresh";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            RefreshTokensRecord old = ctx.db().selectFrom(REFRESH_TOKENS).where(REFRESH_TOKENS.TOKEN_HASH.eq(oldHash)).fetchOne();
            if (old == null || old.getRevokedAt() != null || old.getExpiresAt() <= ctx.ts()) {
                throw TiyiException.unauthenticated("refresh token is not valid; log in again");
            }
            if (old.getUsedAt() != null) {
                throw new ReusedException(old.getFamilyId());
            }
            old.setUsedAt(ctx.ts());
            old.store();
            ctx.db().insertInto(REFRESH_TOKENS)
                    .set(REFRESH_TOKENS.TOKEN_HASH, newHash).set(REFRESH_TOKENS.FAMILY_ID, old.getFamilyId())
                    .set(REFRESH_TOKENS.USER_ID, old.getUserId()).set(REFRESH_TOKENS.CREATED_AT, ctx.ts())
                    .set(REFRESH_TOKENS.EXPIRES_AT, expiresAt).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return AuditRecord.of("auth.refresh", "user:" + user);
        }

        @Override
        public String toString() {
            return "Rotate[user=" + user + "]";
        }
    }

    /**
     * Revokes every token of a family (logout, or a reused token).
     *
     * @param endAllSessions true for a reused token: a copy of the refresh token means its access
     *     tokens may be copied too, so every session of the family's user ends (its session
     *     generation moves on and all its refresh tokens are revoked)
     */
    public record RevokeFamily(String familyId, String user, String reason, boolean endAllSessions) implements Mutation<Void> {
        public static final String KIND = "auth.revoke_family";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            ctx.db().update(REFRESH_TOKENS).set(REFRESH_TOKENS.REVOKED_AT, ctx.ts())
                    .where(REFRESH_TOKENS.FAMILY_ID.eq(familyId).and(REFRESH_TOKENS.REVOKED_AT.isNull())).execute();
            if (endAllSessions) {
                // The family's own user, found by the family rather than by name: the name may have been taken again.
                ctx.db().selectFrom(USERS).where(USERS.ID.in(ctx.db().select(REFRESH_TOKENS.USER_ID).from(REFRESH_TOKENS)
                        .where(REFRESH_TOKENS.FAMILY_ID.eq(familyId)))).fetch()
                        .forEach(u -> UserMutations.endSessions(ctx.db(), u, ctx.ts()));
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            String action = "logout".equals(reason) ? "auth.logout" : "auth.token_family_revoked";
            return new AuditRecord(action, "user:" + user, endAllSessions ? Map.of("reason", reason, "family", familyId,
                    "all_sessions_ended", true) : Map.of("reason", reason, "family", familyId));
        }
    }

    /** A refresh token was presented a second time: its family must be revoked. */
    static final class ReusedException extends TiyiException {
        private static final long serialVersionUID = 1L;
        final String familyId;

        ReusedException(String familyId) {
            super(io.tiyi.ErrorCode.UNAUTHENTICATED, "refresh token was already used, so it may have been copied: every session of this user has ended; log in again");
            this.familyId = familyId;
        }
    }
}
