package io.tiyi.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.tiyi.TiyiException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Access tokens: HS256 JWTs signed with {@code auth.jwt_secret}, short-lived. Only HS256 with
 * this node's secret verifies; {@code alg: none}, other algorithms and other secrets are refused.
 */
public final class TokenService {
    public static final Duration ACCESS_TTL = Duration.ofMinutes(15);
    private static final String ISSUER = "tiyi";

    private final Algorithm algorithm;
    private final JWTVerifier verifier;

    public TokenService(byte[] secret) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.verifier = JWT.require(algorithm).withIssuer(ISSUER).acceptLeeway(5).build();
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

    public AccessToken issue(String user, UserRole role) {
        Instant now = Instant.now();
        Instant exp = now.plus(ACCESS_TTL);
        String jwt = JWT.create().withIssuer(ISSUER).withSubject(user).withClaim("role", role.wireName())
                .withIssuedAt(now).withExpiresAt(exp).withJWTId(UUID.randomUUID().toString()).sign(algorithm);
        return new AccessToken(jwt, exp.toEpochMilli());
    }

    /**
     * Verifies a token and returns its subject (user name).
     *
     * @throws TiyiException UNAUTHENTICATED when it is expired, forged or malformed
     */
    public String verify(String token) {
        try {
            DecodedJWT d = verifier.verify(token);
            if (d.getSubject() == null || d.getSubject().isEmpty()) {
                throw TiyiException.unauthenticated("access token has no subject; log in again");
            }
            return d.getSubject();
        } catch (TokenExpiredException e) {
            throw TiyiException.unauthenticated("access token expired; refresh it or log in again");
        } catch (JWTVerificationException e) {
            throw TiyiException.unauthenticated("access token is not valid for this node; log in again");
        }
    }
}
