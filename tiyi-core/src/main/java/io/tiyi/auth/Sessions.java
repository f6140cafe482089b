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
 * every session of that user ends. Failed logins are audited and throttled per user and per
 * client address.
 *
 * <p>An access token is bound to the user's immutable uid and to its session generation; every
 * call reads the user's row by uid (one indexed read) and refuses the token when the row is gone,
 * disabled, or has moved to another generation. The mutations that change a password, a role or
 * the disabled flag, and a reused refresh token, move the generation on in the same replicated
 * mutation, so every control-plane node refuses the old tokens as soon as it has applied it. The
 * role is taken from the row at call time, never from the token.
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
        TokenService.AccessToken access = tokens.issue(u.getUid(), u.getName(), role, u.getSessionGen(), UUID.randomUUID().toString());
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
                    refreshExp, client, u.getUid()));
        } else {
            pipeline.apply("user:" + u.getName(), new RefreshTokenMutations.Rotate(oldHash, RandomTokens.sha256Hex(refresh), u.getName(),
                    refreshExp));
        }
        // Read again after the write: the token must carry the generation the row has now.
        UsersRecord now = store.read(db -> db.selectFrom(USERS).where(USERS.ID.eq(u.getId())).fetchOne());
        if (now == null || now.getDisabled() || !now.getUid().equals(u.getUid())) {
            throw TiyiException.unauthenticated("user '" + u.getName() + "' was disabled or deleted meanwhile; log in again");
        }
        UserRole role = UserRole.parse(now.getRole());
        TokenService.AccessToken access = tokens.issue(now.getUid(), now.getName(), role, now.getSessionGen(), family);
        return new Grant(access.token(), access.expiresAt(), refresh, refreshExp, u.getName(), role.wireName(), u.getMustChangePassword());
    }

    /** Trades a refresh token for a new pair; a reused token ends every session of its user. */
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
            pipeline.apply("user:" + u.getName(), new RefreshTokenMutations.RevokeFamily(e.familyId, u.getName(), "refresh token reused", true));
            throw e;
        }
    }

    /** Revokes the login that {@code refreshToken} belongs to. */
    public void logout(String refreshToken) {
        RefreshTokensRecord r = find(refreshToken).orElseThrow(() -> TiyiException.unauthenticated("refresh token is not valid"));
        String name = store.read(db -> db.select(USERS.NAME).from(USERS).where(USERS.ID.eq(r.getUserId())).fetchOne(USERS.NAME));
        pipeline.apply("user:" + name, new RefreshTokenMutations.RevokeFamily(r.getFamilyId(), name, "logout", false));
    }

    private Optional<RefreshTokensRecord> find(String refreshToken) {
        if (refreshToken == null || !refreshToken.startsWith(REFRESH_PREFIX)) {
            return Optional.empty();
        }
        String h = RandomTokens.sha256Hex(refreshToken);
        return store.read(db -> db.selectFrom(REFRESH_TOKENS).where(REFRESH_TOKENS.TOKEN_HASH.eq(h)).fetchOptional());
    }

    /**
     * The CSRF token of the login {@code refreshToken} belongs to, as {@link #csrfToken} gives it
     * for that login's access tokens; empty when the refresh token is unknown.
     */
    public Optional<String> csrfTokenOfRefresh(String refreshToken) {
        return find(refreshToken).map(r -> tokens.csrfToken(r.getFamilyId()));
    }

    /**
     * The CSRF token of the login {@code accessToken} belongs to: the browser sends it with every
     * call made with that session, and a token of another session does not match.
     *
     * @throws TiyiException UNAUTHENTICATED when the access token does not verify
     */
    public String csrfToken(String accessToken) {
        return tokens.csrfToken(tokens.verify(accessToken).sid());
    }

    /**
     * A browser session's caller and the CSRF token its requests must carry.
     *
     * @param caller as {@link #authenticate} gives it
     * @param csrfToken the token of this very login ({@link #csrfToken})
     */
    public record BrowserSession(Caller caller, String csrfToken) {}

    /**
     * Resolves the access token of a browser session, as {@link #authenticate}, with the CSRF
     * token of its login, which the caller compares with the one the request carried.
     *
     * @throws TiyiException UNAUTHENTICATED when the token does not verify or its session ended
     */
    public BrowserSession authenticateBrowser(String accessToken) {
        TokenService.Claims c = tokens.verify(accessToken);
        return new BrowserSession(current(c), tokens.csrfToken(c.sid()));
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
        return current(tokens.verify(bearer));
    }

    /** The caller as the user's row says now; the row must still be the token's user at the token's generation. */
    private Caller current(TokenService.Claims c) {
        UsersRecord u = store.read(db -> db.selectFrom(USERS).where(USERS.UID.eq(c.uid())).fetchOne());
        if (u == null) {
            throw TiyiException.unauthenticated("session ended: the user of this token was deleted; log in again");
        }
        if (u.getDisabled()) {
            throw TiyiException.unauthenticated("session ended: user '" + u.getName() + "' is disabled");
        }
        if (u.getSessionGen() != c.gen()) {
            throw TiyiException.unauthenticated("session ended: the password, role or status of '" + u.getName()
                    + "' changed, or a reused refresh token ended all its sessions; log in again");
        }
        return new Caller(u.getName(), UserRole.parse(u.getRole()), u.getMustChangePassword(), false);
    }
}
