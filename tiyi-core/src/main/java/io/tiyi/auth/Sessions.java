package io.tiyi.auth;

import static io.tiyi.store.generated.Tables.REFRESH_TOKENS;
import static io.tiyi.store.generated.Tables.USERS;

import io.tiyi.TiyiException;
import io.tiyi.crypto.PasswordHasher;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.RefreshTokensRecord;
import io.tiyi.store.generated.tables.records.UsersRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Logins, token refresh and logout, and turning a bearer token into a {@link Caller}.
 *
 * <p>A login issues a short-lived access JWT and a refresh token. Refresh tokens are stored as
 * hashes and rotate on every use; presenting one that was already used means it was copied, so
 * the whole family (every token descended from that login) is revoked. Failed logins are
 * audited and throttled per user and per client address.
 */
public final class Sessions {
    public static final Duration REFRESH_TTL = Duration.ofDays(30);
    private static final String REFRESH_PREFIX = "tiyi_rt_";
    /** Verified against when the user does not exist, so that timing does not reveal user names. */
    private static final String DUMMY_HASH = PasswordHasher.hash("not-a-real-password".toCharArray());

    private final StateStore store;
    private final MutationPipeline pipeline;
    private final TokenService tokens;
    private final LoginThrottle throttle;
    private final Clock clock;
    private volatile String localAdminTokenHash;

    public Sessions(StateStore store, MutationPipeline pipeline, TokenService tokens, Clock clock) {
        this.store = store;
        this.pipeline = pipeline;
        this.tokens = tokens;
        this.clock = clock;
        this.throttle = new LoginThrottle(clock);
    }

    /**
     * Tokens handed out at login or refresh.
     *
     * @param accessToken the JWT for {@code Authorization: Bearer}
     * @param accessExpiresAt its expiry (ms)
     * @param refreshToken the single-use refresh token
     * @param refreshExpiresAt its expiry (ms)
     * @param user the user name
     * @param role the user's role
     * @param mustChangePassword true when the user must set a new password before anything else
     */
    public record Grant(String accessToken, long accessExpiresAt, String refreshToken, long refreshExpiresAt, String user, String role,
            boolean mustChangePassword) {
        @Override
        public String toString() {
            return "Grant[user=" + user + ", role=" + role + "]";
        }
    }

    /** Accepts {@code token} as the node-local admin credential. */
    public void setLocalAdminToken(String token) {
        this.localAdminTokenHash = RandomTokens.sha256Hex(token);
    }

    public Grant login(String user, char[] password, String client) {
        UsersRecord u = verifyPassword(user, password, client);
        return issue(u, UUID.randomUUID().toString(), client, true, null);
    }

    /**
     * A login on a node that takes no changes (a read-only secondary): the password is checked as
     * for {@link #login}, but only an access token is issued, because a refresh token is state
     * that only the primary may write. The grant's refresh token is null; when the access token
     * expires the user logs in again.
     */
    public Grant loginWithoutRefresh(String user, char[] password, String client) {
        UsersRecord u = verifyPassword(user, password, client);
        UserRole role = UserRole.parse(u.getRole());
        TokenService.AccessToken access = tokens.issue(u.getName(), role);
        return new Grant(access.token(), access.expiresAt(), null, 0, u.getName(), role.wireName(), u.getMustChangePassword());
    }

    private UsersRecord verifyPassword(String user, char[] password, String client) {
        if (user == null || user.isBlank() || password == null || password.length == 0) {
            throw TiyiException.invalid("user and password are required");
        }
        throttle.check(user, client);
        UsersRecord u = store.read(db -> db.selectFrom(USERS).where(USERS.NAME.eq(user)).fetchOne());
        boolean ok = PasswordHasher.verify(password, u == null ? DUMMY_HASH : u.getPasswordHash());
        if (!ok || u == null || u.getDisabled()) {
            throttle.failed(user, client);
            String why = u == null ? "unknown user" : !ok ? "wrong password" : "user disabled";
            try {
                pipeline.recordAudit("anonymous", new AuditRecord("auth.login_failed", "user:" + user, Map.of("client", client, "reason", why)));
            } catch (io.tiyi.store.MutationRejectedException e) {
                // A read-only node cannot append to the replicated audit log; the refusal below still stands.
            }
            throw TiyiException.unauthenticated("login failed: wrong user name or password, or the user is disabled");
        }
        throttle.succeeded(user);
        return u;
    }

    private Grant issue(UsersRecord u, String family, String client, boolean login, String oldHash) {
        String refresh = REFRESH_PREFIX + RandomTokens.token(32);
        long refreshExp = clock.millis() + REFRESH_TTL.toMillis();
        if (login) {
            pipeline.apply("user:" + u.getName(), new RefreshTokenMutations.Issue(RandomTokens.sha256Hex(refresh), family, u.getName(),
                    refreshExp, client));
        } else {
            pipeline.apply("user:" + u.getName(), new RefreshTokenMutations.Rotate(oldHash, RandomTokens.sha256Hex(refresh), u.getName(),
                    refreshExp));
        }
        UserRole role = UserRole.parse(u.getRole());
        TokenService.AccessToken access = tokens.issue(u.getName(), role);
        return new Grant(access.token(), access.expiresAt(), refresh, refreshExp, u.getName(), role.wireName(), u.getMustChangePassword());
    }

    /** Trades a refresh token for a new pair; a reused token revokes its family. */
    public Grant refresh(String refreshToken) {
        RefreshTokensRecord r = find(refreshToken)
                .orElseThrow(() -> TiyiException.unauthenticated("refresh token is not valid; log in again"));
        UsersRecord u = store.read(db -> db.selectFrom(USERS).where(USERS.ID.eq(r.getUserId())).fetchOne());
        if (u == null || u.getDisabled()) {
            throw TiyiException.unauthenticated("user is disabled or deleted; log in again");
        }
        try {
            return issue(u, r.getFamilyId(), "", false, r.getTokenHash());
        } catch (RefreshTokenMutations.ReusedException e) {
            pipeline.apply("user:" + u.getName(), new RefreshTokenMutations.RevokeFamily(e.familyId, u.getName(), "refresh token reused"));
            throw e;
        }
    }

    /** Revokes the login that {@code refreshToken} belongs to. */
    public void logout(String refreshToken) {
        RefreshTokensRecord r = find(refreshToken).orElseThrow(() -> TiyiException.unauthenticated("refresh token is not valid"));
        String name = store.read(db -> db.select(USERS.NAME).from(USERS).where(USERS.ID.eq(r.getUserId())).fetchOne(USERS.NAME));
        pipeline.apply("user:" + name, new RefreshTokenMutations.RevokeFamily(r.getFamilyId(), name, "logout"));
    }

    private Optional<RefreshTokensRecord> find(String refreshToken) {
        if (refreshToken == null || !refreshToken.startsWith(REFRESH_PREFIX)) {
            return Optional.empty();
        }
        String h = RandomTokens.sha256Hex(refreshToken);
        return store.read(db -> db.selectFrom(REFRESH_TOKENS).where(REFRESH_TOKENS.TOKEN_HASH.eq(h)).fetchOptional());
    }

    /**
     * Resolves a bearer token: the local admin credential or an access JWT of an enabled user.
     *
     * @throws TiyiException UNAUTHENTICATED when it does not verify
     */
    public Caller authenticate(String bearer) {
        String local = localAdminTokenHash;
        if (local != null && java.security.MessageDigest.isEqual(
                local.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                RandomTokens.sha256Hex(bearer).getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            return Caller.localAdmin();
        }
        String name = tokens.verify(bearer);
        UsersRecord u = store.read(db -> db.selectFrom(USERS).where(USERS.NAME.eq(name)).fetchOne());
        if (u == null || u.getDisabled()) {
            throw TiyiException.unauthenticated("user '" + name + "' is disabled or deleted");
        }
        return new Caller(u.getName(), UserRole.parse(u.getRole()), u.getMustChangePassword(), false);
    }
}
