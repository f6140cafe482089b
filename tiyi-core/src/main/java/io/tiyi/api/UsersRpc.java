package io.tiyi.api;

import io.tiyi.TiyiException;
import io.tiyi.auth.User;
import io.tiyi.auth.UserRole;
import io.tiyi.auth.Users;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.UsersService;
import io.tiyi.client.rpc.UsersService.CreateRequest;
import io.tiyi.client.rpc.UsersService.ListRequest;
import io.tiyi.client.rpc.UsersService.NameRequest;
import io.tiyi.client.rpc.UsersService.SetPasswordRequest;
import io.tiyi.client.rpc.UsersService.SetRoleRequest;
import java.util.List;
import java.util.stream.Stream;

/** {@code tiyi.v1.UsersService}: account management. */
public final class UsersRpc implements RpcService {

    record UserList(List<User> users, int total) {}

    private final Users users;

    /** The service over the accounts. */
    public UsersRpc(Users users) {
        this.users = users;
    }

    private static String name(String n) {
        if (n == null || n.isBlank()) {
            throw TiyiException.invalid("field 'name' is required");
        }
        return n.trim();
    }

    @Override
    public void register(RpcRegistry r) {
        r.query(UsersService.LIST, Access.ADMIN, (ctx, q) -> {
            Paging.Page<User> p = Paging.page(users.list(), q.filter(), q.offset(), q.limit(), u -> Stream.of(u.name(), u.role().wireName()));
            return new UserList(p.items(), p.total());
        });
        r.mutation(UsersService.CREATE, Access.ADMIN, (ctx, q) -> {
            if (q.role() == null) {
                throw TiyiException.invalid("field 'role' is required (admin, operator or viewer)");
            }
            return users.create(ctx.actor(), q.name(), UserRole.parse(q.role()), q.password() == null ? null : q.password().toCharArray(),
                    q.requireChange() != null && q.requireChange());
        });
        r.mutation(UsersService.SET_PASSWORD, Access.ADMIN, (ctx, q) -> {
            users.setPassword(ctx.actor(), name(q.name()), q.password() == null ? null : q.password().toCharArray(),
                    Boolean.TRUE.equals(q.requireChange()));
            return Empty.INSTANCE;
        });
        r.mutation(UsersService.SET_ROLE, Access.ADMIN, (ctx, q) -> {
            users.setRole(ctx.actor(), name(q.name()), UserRole.parse(q.role()));
            return users.find(q.name()).orElseThrow();
        });
        r.mutation(UsersService.DISABLE, Access.ADMIN, (ctx, q) -> {
            users.setDisabled(ctx.actor(), name(q.name()), true);
            return users.find(q.name()).orElseThrow();
        });
        r.mutation(UsersService.ENABLE, Access.ADMIN, (ctx, q) -> {
            users.setDisabled(ctx.actor(), name(q.name()), false);
            return users.find(q.name()).orElseThrow();
        });
        r.mutation(UsersService.DELETE, Access.ADMIN, (ctx, q) -> {
            users.delete(ctx.actor(), name(q.name()));
            return Empty.INSTANCE;
        });
    }
}
