package io.tiyi.api;

import io.tiyi.auth.Caller;
import io.tiyi.auth.Sessions;
import io.tiyi.auth.Users;
import io.tiyi.TiyiException;

/** {@code tiyi.v1.AuthService}: Login, Refresh, Logout, ChangePassword, WhoAmI. */
final class AuthRpc {
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

    private AuthRpc() {}

    static void register(RpcRegistry r, Sessions sessions, Users users) {
        r.add(new RpcMethod<>(SERVICE, "Login", Access.PUBLIC, true, false, true, LoginRequest.class,
                (ctx, q) -> sessions.login(q.user(), q.password() == null ? null : q.password().toCharArray(), ctx.client())));
        r.add(new RpcMethod<>(SERVICE, "Refresh", Access.PUBLIC, true, false, true, RefreshRequest.class,
                (ctx, q) -> sessions.refresh(q.refreshToken())));
        r.add(new RpcMethod<>(SERVICE, "Logout", Access.PUBLIC, true, false, true, RefreshRequest.class, (ctx, q) -> {
            sessions.logout(q.refreshToken());
            return Empty.INSTANCE;
        }));
        r.add(new RpcMethod<>(SERVICE, "ChangePassword", Access.VIEWER, true, true, true, ChangePasswordRequest.class, (ctx, q) -> {
            if (ctx.caller().local()) {
                throw TiyiException.invalid("the local admin credential has no password; use UsersService/SetPassword");
            }
            users.setPassword(ctx.actor(), ctx.caller().name(), q.password() == null ? null : q.password().toCharArray(), false);
            return Empty.INSTANCE;
        }));
        r.add(new RpcMethod<>(SERVICE, "WhoAmI", Access.VIEWER, false, false, true, Empty.class, (ctx, q) -> {
            Caller c = ctx.caller();
            return new WhoAmI(c.name(), c.role().wireName(), c.mustChangePassword(), c.local());
        }));
    }
}
