package io.tiyi.api;

import static io.tiyi.api.RpcMethod.Option.BEFORE_PASSWORD_CHANGE;
import static io.tiyi.api.RpcMethod.Option.SELF_SERVICE;

import io.tiyi.TiyiException;
import io.tiyi.auth.Caller;
import io.tiyi.auth.Sessions;
import io.tiyi.auth.Users;

/** {@code tiyi.v1.AuthService}: Login, Refresh, Logout, ChangePassword, WhoAmI. */
public final class AuthRpc implements RpcService {
    static final String SERVICE = "AuthService";

    record LoginRequest(String user, String password) {
        @Override
        public String toString() {
            return "LoginRequest[user=" + user + "]";
        }
    }

    record RefreshRequest(String refreshToken) {
        @Override
        public String toString() {
            return "RefreshRequest[]";
        }
    }

    record ChangePasswordRequest(String password) {
        @Override
        public String toString() {
            return "ChangePasswordRequest[]";
        }
    }

    record WhoAmI(String user, String role, boolean mustChangePassword, boolean local) {}

    private final Sessions sessions;
    private final Users users;

    /** The service over {@code sessions} (login, refresh, logout) and {@code users} (a caller's own password). */
    public AuthRpc(Sessions sessions, Users users) {
        this.sessions = sessions;
        this.users = users;
    }

    @Override
    public void register(RpcRegistry r) {
        r.add(RpcMethod.mutation(SERVICE, "Login", Access.PUBLIC, LoginRequest.class,
                (ctx, q) -> sessions.login(q.user(), q.password() == null ? null : q.password().toCharArray(), ctx.client()))
                .allowing(BEFORE_PASSWORD_CHANGE));
        r.add(RpcMethod.mutation(SERVICE, "Refresh", Access.PUBLIC, RefreshRequest.class, (ctx, q) -> sessions.refresh(q.refreshToken()))
                .allowing(BEFORE_PASSWORD_CHANGE));
        r.add(RpcMethod.mutation(SERVICE, "Logout", Access.PUBLIC, RefreshRequest.class, (ctx, q) -> {
            sessions.logout(q.refreshToken());
            return Empty.INSTANCE;
        }).allowing(BEFORE_PASSWORD_CHANGE));
        r.add(RpcMethod.mutation(SERVICE, "ChangePassword", Access.VIEWER, ChangePasswordRequest.class, (ctx, q) -> {
            if (ctx.caller().local()) {
                throw TiyiException.invalid("the local admin credential has no password; use UsersService/SetPassword");
            }
            users.setPassword(ctx.actor(), ctx.caller().name(), q.password() == null ? null : q.password().toCharArray(), false);
            return Empty.INSTANCE;
        }).allowing(SELF_SERVICE, BEFORE_PASSWORD_CHANGE));
        r.add(RpcMethod.query(SERVICE, "WhoAmI", Access.VIEWER, Empty.class, (ctx, q) -> {
            Caller c = ctx.caller();
            return new WhoAmI(c.name(), c.role().wireName(), c.mustChangePassword(), c.local());
        }).allowing(BEFORE_PASSWORD_CHANGE));
    }
}
