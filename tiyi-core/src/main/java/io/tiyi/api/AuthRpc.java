package io.tiyi.api;

import static io.tiyi.api.RpcMethod.Option.BEFORE_PASSWORD_CHANGE;
import static io.tiyi.api.RpcMethod.Option.SELF_SERVICE;

import io.tiyi.TiyiException;
import io.tiyi.auth.Caller;
import io.tiyi.auth.Sessions;
import io.tiyi.auth.Users;
import io.tiyi.client.rpc.AuthService;
import io.tiyi.client.rpc.AuthService.ChangePasswordRequest;
import io.tiyi.client.rpc.AuthService.LoginRequest;
import io.tiyi.client.rpc.AuthService.RefreshRequest;
import io.tiyi.client.rpc.AuthService.WhoAmI;
import io.tiyi.client.rpc.Empty;

/** {@code tiyi.v1.AuthService}: Login, Refresh, Logout, ChangePassword, WhoAmI. */
public final class AuthRpc implements RpcService {

    private final Sessions sessions;
    private final Users users;

    /** The service over {@code sessions} (login, refresh, logout) and {@code users} (a caller's own password). */
    public AuthRpc(Sessions sessions, Users users) {
        this.sessions = sessions;
        this.users = users;
    }

    @Override
    public void register(RpcRegistry r) {
        r.add(RpcMethod.mutation(AuthService.LOGIN, Access.PUBLIC, (ctx, q) -> sessions.login(q.user(), q.password() == null ? null : q.password().toCharArray(), ctx.client()))
                .allowing(BEFORE_PASSWORD_CHANGE));
        r.add(RpcMethod.mutation(AuthService.REFRESH, Access.PUBLIC, (ctx, q) -> sessions.refresh(q.refreshToken()))
                .allowing(BEFORE_PASSWORD_CHANGE));
        r.add(RpcMethod.mutation(AuthService.LOGOUT, Access.PUBLIC, (ctx, q) -> {
            sessions.logout(q.refreshToken());
            return Empty.INSTANCE;
        }).allowing(BEFORE_PASSWORD_CHANGE));
        r.add(RpcMethod.mutation(AuthService.CHANGE_PASSWORD, Access.VIEWER, (ctx, q) -> {
            if (ctx.caller().local()) {
                throw TiyiException.invalid("the local admin credential has no password; use UsersService/SetPassword");
            }
            users.setPassword(ctx.actor(), ctx.caller().name(), q.password() == null ? null : q.password().toCharArray(), false);
            return Empty.INSTANCE;
        }).allowing(SELF_SERVICE, BEFORE_PASSWORD_CHANGE));
        r.add(RpcMethod.query(AuthService.WHO_AM_I, Access.VIEWER, (ctx, q) -> {
            Caller c = ctx.caller();
            return new WhoAmI(c.name(), c.role().wireName(), c.mustChangePassword(), c.local());
        }).allowing(BEFORE_PASSWORD_CHANGE));
    }
}
