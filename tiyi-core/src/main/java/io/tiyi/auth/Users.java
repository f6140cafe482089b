package io.tiyi.auth;

import static io.tiyi.store.generated.Tables.USERS;

import io.tiyi.TiyiException;
import io.tiyi.crypto.PasswordHasher;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.UsersRecord;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Accounts: validation, hashing and the mutations that store them. */
public final class Users {
    /** The account created on first boot. */
    public static final String BOOTSTRAP_ADMIN = "admin";
    public static final int MIN_PASSWORD_LENGTH = 12;
    public static final int MAX_PASSWORD_LENGTH = 1024;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final StateStore store;
    private final MutationPipeline pipeline;

    public Users(StateStore store, MutationPipeline pipeline) {
        this.store = store;
        this.pipeline = pipeline;
    }

    public List<User> list() {
        return store.read(db -> db.selectFrom(USERS).orderBy(USERS.ID).fetch(Users::toUser));
    }

    public Optional<User> find(String name) {
        return store.read(db -> db.selectFrom(USERS).where(USERS.NAME.eq(name)).fetchOptional(Users::toUser));
    }

    /** The stored Argon2id hash, for login. */
    Optional<String> passwordHash(String name) {
        return store.read(db -> db.select(USERS.PASSWORD_HASH).from(USERS).where(USERS.NAME.eq(name))
                .fetchOptional(USERS.PASSWORD_HASH));
    }

    static User toUser(UsersRecord r) {
        return new User(r.getId(), r.getName(), UserRole.parse(r.getRole()), r.getMustChangePassword(), r.getDisabled(),
                r.getCreatedAt(), r.getUpdatedAt());
    }

    /** Creates a user with a password chosen by an administrator. */
    public User create(String actor, String name, UserRole role, char[] password) {
        return create(actor, name, role, password, false);
    }

    /**
     * Creates a user with a password chosen by an administrator.
     *
     * @param mustChange true when the user must replace that password with their own at first login
     */
    public User create(String actor, String name, UserRole role, char[] password, boolean mustChange) {
        checkName(name);
        checkPassword(password);
        pipeline.apply(actor, new UserMutations.Create(name, role.wireName(), PasswordHasher.hash(password), mustChange, UserMutations.newUid()));
        return find(name).orElseThrow();
    }

    /**
     * Sets a password. A user that must change its password may not set the same one again.
     *
     * @param mustChange true when an administrator resets someone else's password
     */
    public void setPassword(String actor, String name, char[] password, boolean mustChange) {
        checkPassword(password);
        User u = find(name).orElseThrow(() -> TiyiException.notFound("no user named '" + name + "'"));
        if (u.mustChangePassword() && passwordHash(name).map(h -> PasswordHasher.verify(password, h)).orElse(false)) {
            throw TiyiException.invalid("the new password must differ from the bootstrap or reset password it replaces");
        }
        pipeline.apply(actor, new UserMutations.SetPassword(name, PasswordHasher.hash(password), mustChange));
    }

    public void setRole(String actor, String name, UserRole role) {
        pipeline.apply(actor, new UserMutations.SetRole(name, role.wireName()));
    }

    public void setDisabled(String actor, String name, boolean disabled) {
        pipeline.apply(actor, new UserMutations.SetDisabled(name, disabled));
    }

    public void delete(String actor, String name) {
        pipeline.apply(actor, new UserMutations.Delete(name));
    }

    /**
     * Creates the bootstrap admin with a random password when there are no users yet.
     *
     * @return the generated password, to be shown once; empty when users already exist
     */
    public Optional<String> ensureBootstrapAdmin() {
        boolean any = store.read(db -> db.fetchExists(USERS));
        if (any) {
            return Optional.empty();
        }
        String password = RandomTokens.password(20);
        pipeline.apply("system", new UserMutations.Create(BOOTSTRAP_ADMIN, UserRole.ADMIN.wireName(),
                PasswordHasher.hash(password.toCharArray()), true, UserMutations.newUid()));
        return Optional.of(password);
    }

    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw TiyiException.invalid("user name must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit; got '"
                    + name + "'");
        }
    }

    public static void checkPassword(char[] password) {
        if (password == null || password.length < MIN_PASSWORD_LENGTH) {
            throw TiyiException.invalid("password must be at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (password.length > MAX_PASSWORD_LENGTH) {
            throw TiyiException.invalid("password must be at most " + MAX_PASSWORD_LENGTH + " characters");
        }
    }
}
