package io.tiyi.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.tiyi.TiyiException;
import io.tiyi.crypto.HmacSha256;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Access tokens: HS256 JWTs signed with {@code auth.jwt_secret}, short-lived. Only HS256 with
 * this node's secret verifies; {@code alg: none}, other algorithms and other secrets are refused,
 * and so is a token without {@code exp} or {@code iat}.
 *
 * <p>A token names the user by its immutable uid ({@code sub}), not by its name, and carries the
 * user's session generation ({@code gen}) and the login it belongs to ({@code sid}); {@link
 * Sessions} compares the generation with the user's row on every call. The {@code role} and
 * {@code name} claims are for people reading a token; authorization uses the row.
 *
 * <p>The same secret also keys the browser session's CSRF tokens ({@link #csrfToken}), through a
 * key derived for that purpose alone, so a CSRF token is worth nothing as a signature.
 */
public final class TokenService {
    public static final Duration ACCESS_TTL = Duration.ofMinutes(15);
    private static final String ISSUER = "tiyi";

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final byte[] csrfKey;

    public TokenService(byte[] secret) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.verifier = JWT.require(algorithm).withIssuer(ISSUER).withClaimPresence("exp").withClaimPresence("iat")
                .acceptLeeway(5).build();
        this.csrfKey = HmacSha256.of(secret, "tiyi csrf key v1");
    }

    /**
     * An issued access token.
     *
     * @param token the JWT
     * @param expiresAt expiry in milliseconds since the epoch
     */
    public record AccessToken(String token, long expiresAt) {
        @Override
        public String toString() {
            return "AccessToken[expiresAt=" + expiresAt + "]";
        }
    }

    /**
     * What a verified access token says.
     *
     * @param uid the user's immutable id
     * @param gen the user's session generation when the token was issued
     * @param sid the login (browser or CLI session) the token belongs to
     */
    public record Claims(String uid, long gen, String sid) {}

    /**
     * Signs an access token for one login of a user.
     *
     * @param uid the user's immutable id
     * @param name the user name (informational)
     * @param role the user's role (informational)
     * @param gen the user's current session generation
     * @param sid the login the token belongs to: the refresh-token family, or a random id when there is none
     */
    public AccessToken issue(String uid, String name, UserRole role, long gen, String sid) {
        Instant now = Instant.now();
        Instant exp = now.plus(ACCESS_TTL);
        String jwt = JWT.create().withIssuer(ISSUER).withSubject(uid).withClaim("name", name).withClaim("role", role.wireName())
                .withClaim("gen", gen).withClaim("sid", sid)
                .withIssuedAt(now).withExpiresAt(exp).withJWTId(UUID.randomUUID().toString()).sign(algorithm);
        return new AccessToken(jwt, exp.toEpochMilli());
    }

    /**
     * Verifies a token and returns its claims.
     *
     * @throws TiyiException UNAUTHENTICATED when it is expired, forged, malformed or lacks a claim
     */
    public Claims verify(String token) {
        DecodedJWT d;
        try {
            d = verifier.verify(token);
        } catch (TokenExpiredException e) {
            throw TiyiException.unauthenticated("access token expired; refresh it or log in again");
        } catch (JWTVerificationException e) {
            throw TiyiException.unauthenticated("access token is not valid for this node; log in again");
        }
        Claim gen = d.getClaim("gen");
        Claim sid = d.getClaim("sid");
        if (d.getSubject() == null || d.getSubject().isEmpty() || gen.isMissing() || gen.asLong() == null || sid.isMissing()
                || sid.asString() == null || sid.asString().isEmpty()) {
            // Tokens of an earlier version named the user instead of its uid and carried no generation.
            throw TiyiException.unauthenticated("access token lacks the sub, gen or sid claim (it may predate this version); log in again");
        }
        return new Claims(d.getSubject(), gen.asLong(), sid.asString());
    }

    /**
     * The CSRF token of the login {@code sid}: base64url HMAC-SHA256 under a key derived from the
     * signing secret. Every node that shares {@code auth.jwt_secret} derives the same one.
     */
    public String csrfToken(String sid) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(HmacSha256.of(csrfKey, "csrf:" + sid));
    }
}
