package io.tiyi.api;

import io.tiyi.TiyiException;
import io.tiyi.auth.Sessions;
import io.tiyi.client.rpc.Empty;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code POST /ui/auth/login|refresh|logout}: the web UI's side of {@code AuthService}, which
 * moves the tokens into cookies instead of handing them to page scripts. Everything else the UI
 * does goes through the RPC API with that cookie. Refresh and logout must carry the CSRF token of
 * the session they act on; a login, which has no session yet, the double-submitted one.
 */
final class UiAuthHandler implements HttpHandler {
    private static final int MAX_BODY = 16 * 1024;

    /** A login; the password never appears in logs. */
    record LoginBody(String user, String password) {
        @Override
        public String toString() {
            return "LoginBody[user=" + user + "]";
        }
    }

    /**
     * What the page learns about its session: never the tokens.
     *
     * @param refreshable false on a read-only node, where the session ends with its access token
     */
    record SessionInfo(String user, String role, boolean mustChangePassword, long expiresAt, boolean refreshable) {}

    private final Sessions sessions;
    private final Supplier<String> notPrimary;

    UiAuthHandler(Sessions sessions, Supplier<String> notPrimary) {
        this.sessions = sessions;
        this.notPrimary = notPrimary;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        WebUi.securityHeaders(exchange);
        try {
            if (!Methods.POST.equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
                throw TiyiException.invalid("/ui/auth/ takes POST, got " + exchange.getRequestMethod());
            }
            ClientRateLimit.admit(exchange, "login, refresh and logout");
        } catch (RuntimeException e) {
            RpcHandler.fail(exchange, e);
            return;
        }
        // The body is collected without a worker (a slow client holds none); the session work runs on one.
        BodyReader.read(exchange, MAX_BODY, body -> exchange.dispatch(ex -> respond(ex, body)), tooLarge -> RpcHandler.fail(exchange, tooLarge));
    }

    private void respond(HttpServerExchange exchange, byte[] body) {
        try {
            RpcHandler.send(exchange, 200, handle(exchange, body));
        } catch (RuntimeException e) {
            RpcHandler.fail(exchange, e);
        }
    }

    private Object handle(HttpServerExchange exchange, byte[] raw) {
        String op = exchange.getRelativePath().substring(exchange.getRelativePath().lastIndexOf('/') + 1);
        switch (op) {
            case "login" -> {
                // No session yet to bind a token to: double submit.
                UiCookies.requireCsrf(exchange);
                LoginBody body = login(exchange, raw);
                char[] pw = body.password() == null ? null : body.password().toCharArray();
                Sessions.Grant g = notPrimary.get() == null ? sessions.login(body.user(), pw, RpcHandler.client(exchange))
                        : sessions.loginWithoutRefresh(body.user(), pw, RpcHandler.client(exchange));
                UiCookies.setSession(exchange, g.accessToken(), g.refreshToken());
                // The new session's own CSRF token, so a token planted before the login is worth nothing.
                UiCookies.setCsrf(exchange, sessions.csrfToken(g.accessToken()));
                return info(g);
            }
            case "refresh" -> {
                String rt = UiCookies.value(exchange, UiCookies.REFRESH);
                String csrf = rt == null ? null : sessions.csrfTokenOfRefresh(rt).orElse(null);
                if (csrf == null) {
                    UiCookies.clearSession(exchange);
                    throw TiyiException.unauthenticated("the session has ended; log in again");
                }
                UiCookies.requireSessionCsrf(exchange, csrf);
                try {
                    Sessions.Grant g = sessions.refresh(rt);
                    UiCookies.setSession(exchange, g.accessToken(), g.refreshToken());
                    UiCookies.setCsrf(exchange, csrf);
                    return info(g);
                } catch (TiyiException e) {
                    UiCookies.clearSession(exchange);
                    throw e;
                }
            }
            case "logout" -> {
                String rt = UiCookies.value(exchange, UiCookies.REFRESH);
                Optional<String> csrf = sessionCsrf(exchange, rt);
                if (csrf.isPresent()) {
                    UiCookies.requireSessionCsrf(exchange, csrf.get());
                } else {
                    // Nothing live to end: the request only clears the browser's cookies.
                    UiCookies.requireCsrf(exchange);
                }
                UiCookies.clearSession(exchange);
                UiCookies.rotateCsrf(exchange);
                if (rt != null && notPrimary.get() == null) {
                    try {
                        sessions.logout(rt);
                    } catch (TiyiException e) {
                        // Already revoked or expired: the cookies are gone either way.
                    }
                }
                return Empty.INSTANCE;
            }
            default -> throw new TiyiException(io.tiyi.ErrorCode.NOT_FOUND, "no such UI auth operation '" + op
                    + "' (login, refresh, logout)");
        }
    }

    /** The CSRF token of the session the cookies name: its login's, else its access token's; empty when neither is live. */
    private Optional<String> sessionCsrf(HttpServerExchange exchange, String refreshToken) {
        Optional<String> byRefresh = refreshToken == null ? Optional.empty() : sessions.csrfTokenOfRefresh(refreshToken);
        if (byRefresh.isPresent()) {
            return byRefresh;
        }
        String access = UiCookies.value(exchange, UiCookies.SESSION);
        if (access == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(sessions.csrfToken(access));
        } catch (TiyiException e) {
            return Optional.empty();
        }
    }

    private static SessionInfo info(Sessions.Grant g) {
        return new SessionInfo(g.user(), g.role(), g.mustChangePassword(), g.accessExpiresAt(), g.refreshToken() != null);
    }

    private static LoginBody login(HttpServerExchange exchange, byte[] raw) {
        String ct = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (ct == null || !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw TiyiException.invalid("send the login as JSON with content-type application/json");
        }
        return JsonRequest.read(raw, LoginBody.class, "login ({\"user\": ..., \"password\": ...})");
    }
}
