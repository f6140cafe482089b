package io.tiyi.auth;

import static io.tiyi.store.generated.Tables.REFRESH_TOKENS;
import static io.tiyi.store.generated.Tables.USERS;

import io.tiyi.TiyiException;
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

    static void keepAnAdmin(DSLContext db, String name) {
        int others = db.fetchCount(USERS, USERS.ROLE.eq(UserRole.ADMIN.wireName())
                .and(USERS.DISABLED.isFalse()).and(USERS.NAME.ne(name)));
        if (others == 0) {
            throw TiyiException.failedPrecondition("'" + name + "' is the last enabled admin; create or enable another admin first");
        }
    }

    /** Creates a user. @param passwordHash Argon2id PHC string */
    public record Create(String name, String role, String passwordHash, boolean mustChangePassword) implements Mutation<Long> {
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
            return ctx.db().insertInto(USERS)
                    .set(USERS.NAME, name)
                    .set(USERS.ROLE, role)
                    .set(USERS.PASSWORD_HASH, passwordHash)
                    .set(USERS.MUST_CHANGE_PASSWORD, mustChangePassword)
                    .set(USERS.DISABLED, false)
                    .set(USERS.CREATED_AT, ctx.ts())
                    .set(USERS.UPDATED_AT, ctx.ts())
                    .returning(USERS.ID).fetchOne().getId().longValue();
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
            r.store();
            ctx.db().update(REFRESH_TOKENS).set(REFRESH_TOKENS.REVOKED_AT, ctx.ts())
                    .where(REFRESH_TOKENS.USER_ID.eq(r.getId()).and(REFRESH_TOKENS.REVOKED_AT.isNull())).execute();
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

    /** Changes a role; demoting the last enabled admin is refused. */
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
            r.setRole(role);
            r.setUpdatedAt(ctx.ts());
            r.store();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("users.set_role", "user:" + name, Map.of("role", role));
        }
    }

    /** Disables or enables a user; disabling revokes its sessions; the last enabled admin stays. */
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
            r.setDisabled(disabled);
            r.setUpdatedAt(ctx.ts());
            r.store();
            if (disabled) {
                ctx.db().update(REFRESH_TOKENS).set(REFRESH_TOKENS.REVOKED_AT, ctx.ts())
                        .where(REFRESH_TOKENS.USER_ID.eq(r.getId()).and(REFRESH_TOKENS.REVOKED_AT.isNull())).execute();
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return AuditRecord.of(disabled ? "users.disable" : "users.enable", "user:" + name);
        }
    }

    /** Deletes a user and its sessions; the last enabled admin stays. */
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
