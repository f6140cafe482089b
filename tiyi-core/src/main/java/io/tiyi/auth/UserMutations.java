package io.tiyi.auth;

import static io.tiyi.store.generated.Tables.REFRESH_TOKENS;
import static io.tiyi.store.generated.Tables.USERS;

import io.tiyi.TiyiException;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.store.MutationKinds;
import io.tiyi.store.generated.tables.records.UsersRecord;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;

/** The mutations that change accounts. Invariants (unique names, one enabled admin) are checked inside the transaction. */
public final class UserMutations {
    private UserMutations() {}

    static UsersRecord existing(DSLContext db, String name) {
        UsersRecord r = db.selectFrom(USERS).where(USERS.NAME.eq(name)).fetchOne();
        if (r == null) {
            throw TiyiException.notFound("no user named '" + name + "'");
        }
        return r;
    }

    /**
     * Ends every session of a user: a new session generation refuses the access tokens issued
     * under the old one, and its refresh tokens are revoked. Part of the caller's mutation, so it
     * replicates with it and a secondary refuses those tokens as soon as it has applied it.
     */
    static void endSessions(DSLContext db, UsersRecord r, long ts) {
        r.setSessionGen(r.getSessionGen() + 1);
        r.store();
        db.update(REFRESH_TOKENS).set(REFRESH_TOKENS.REVOKED_AT, ts)
                .where(REFRESH_TOKENS.USER_ID.eq(r.getId()).and(REFRESH_TOKENS.REVOKED_AT.isNull())).execute();
    }

    /** A fresh random uid: 128 bits, hex. */
    public static String newUid() {
        return java.util.HexFormat.of().formatHex(RandomTokens.bytes(16));
    }

    static void keepAnAdmin(DSLContext db, String name) {
        int others = db.fetchCount(USERS, USERS.ROLE.eq(UserRole.ADMIN.wireName())
                .and(USERS.DISABLED.isFalse()).and(USERS.NAME.ne(name)));
        if (others == 0) {
            throw TiyiException.failedPrecondition("'" + name + "' is the last enabled admin; create or enable another admin first");
        }
    }

    /**
     * Creates a user.
     *
     * @param passwordHash Argon2id PHC string
     * @param uid the user's immutable id ({@link #newUid()}); null only in entries logged before
     *     uids existed, which get the value the V9 migration gives such users
     */
    public record Create(String name, String role, String passwordHash, boolean mustChangePassword, String uid) implements Mutation<Long> {
        public static final String KIND = "users.create";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Long apply(MutationContext ctx) {
            if (ctx.db().fetchExists(USERS, USERS.NAME.eq(name))) {
                throw TiyiException.alreadyExists("a user named '" + name + "' already exists");
            }
            long id = ctx.db().insertInto(USERS)
                    .set(USERS.NAME, name)
                    .set(USERS.ROLE, role)
                    .set(USERS.PASSWORD_HASH, passwordHash)
                    .set(USERS.MUST_CHANGE_PASSWORD, mustChangePassword)
                    .set(USERS.DISABLED, false)
                    .set(USERS.CREATED_AT, ctx.ts())
                    .set(USERS.UPDATED_AT, ctx.ts())
                    .set(USERS.UID, uid == null ? "" : uid)
                    .set(USERS.SESSION_GEN, 0L)
                    .returning(USERS.ID).fetchOne().getId().longValue();
            if (uid == null) {
                ctx.db().update(USERS).set(USERS.UID, "legacy-" + id + "-" + ctx.ts()).where(USERS.ID.eq((int) id)).execute();
            }
            return id;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("users.create", "user:" + name, Map.of("role", role, "must_change_password", mustChangePassword));
        }

        @Override
        public String toString() {
            return "Create[name=" + name + ", role=" + role + "]";
        }
    }

    /** Replaces a password; revokes the user's sessions. */
    public record SetPassword(String name, String passwordHash, boolean mustChangePassword) implements Mutation<Void> {
        public static final String KIND = "users.set_password";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            UsersRecord r = existing(ctx.db(), name);
            r.setPasswordHash(passwordHash);
            r.setMustChangePassword(mustChangePassword);
            r.setUpdatedAt(ctx.ts());
            endSessions(ctx.db(), r, ctx.ts());
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("users.set_password", "user:" + name, Map.of("must_change_password", mustChangePassword));
        }

        @Override
        public String toString() {
            return "SetPassword[name=" + name + "]";
        }
    }

    /** Changes a role and ends the user's sessions; demoting the last enabled admin is refused. */
    public record SetRole(String name, String role) implements Mutation<Void> {
        public static final String KIND = "users.set_role";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            UsersRecord r = existing(ctx.db(), name);
            if (UserRole.ADMIN.wireName().equals(r.getRole()) && !UserRole.ADMIN.wireName().equals(role) && !r.getDisabled()) {
                keepAnAdmin(ctx.db(), name);
            }
            boolean changed = !role.equals(r.getRole());
            r.setRole(role);
            r.setUpdatedAt(ctx.ts());
            r.store();
            if (changed) {
                endSessions(ctx.db(), r, ctx.ts());
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("users.set_role", "user:" + name, Map.of("role", role));
        }
    }

    /**
     * Disables or enables a user; either ends its sessions (enabling too, so that nothing issued
     * before a disable comes back with the user); the last enabled admin stays.
     */
    public record SetDisabled(String name, boolean disabled) implements Mutation<Void> {
        public static final String KIND = "users.set_disabled";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            UsersRecord r = existing(ctx.db(), name);
            if (disabled && UserRole.ADMIN.wireName().equals(r.getRole()) && !r.getDisabled()) {
                keepAnAdmin(ctx.db(), name);
            }
            boolean changed = r.getDisabled() != disabled;
            r.setDisabled(disabled);
            r.setUpdatedAt(ctx.ts());
            r.store();
            if (changed) {
                endSessions(ctx.db(), r, ctx.ts());
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return AuditRecord.of(disabled ? "users.disable" : "users.enable", "user:" + name);
        }
    }

    /**
     * Deletes a user and its sessions (its refresh tokens go with the row; its access tokens name a
     * uid no row has any more); the last enabled admin stays.
     */
    public record Delete(String name) implements Mutation<Void> {
        public static final String KIND = "users.delete";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            UsersRecord r = existing(ctx.db(), name);
            if (UserRole.ADMIN.wireName().equals(r.getRole()) && !r.getDisabled()) {
                keepAnAdmin(ctx.db(), name);
            }
            ctx.db().deleteFrom(USERS).where(USERS.ID.eq(r.getId())).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return AuditRecord.of("users.delete", "user:" + name);
        }
    }

    /** The mutation types of accounts and sessions. */
    public static final class Kinds implements MutationKinds {
        @Override
        public List<Class<? extends Mutation<?>>> types() {
            return List.of(Create.class, SetPassword.class, SetRole.class, SetDisabled.class, Delete.class,
                    RefreshTokenMutations.Issue.class, RefreshTokenMutations.Rotate.class, RefreshTokenMutations.RevokeFamily.class);
        }
    }
}
