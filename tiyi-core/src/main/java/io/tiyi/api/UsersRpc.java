package io.tiyi.api;

import io.tiyi.TiyiException;
import io.tiyi.auth.User;
import io.tiyi.auth.UserRole;
import io.tiyi.auth.Users;
import java.util.List;
import java.util.stream.Stream;

/** {@code tiyi.v1.UsersService}: account management. */
public final class UsersRpc implements RpcService {
    static final String SERVICE = "UsersService";

    /** @param requireChange true when the user must choose a new password at first login (the console sets it) */
    record CreateRequest(String name, String role, String password, Boolean requireChange) {
        @Override
        public String toString() {
            return "CreateRequest[name=" + name + ", role=" + role + "]";
        }
    }

    record SetPasswordRequest(String name, String password, Boolean requireChange) {
        @Override
        public String toString() {
            return "SetPasswordRequest[name=" + name + "]";
        }
    }

    record SetRoleRequest(String name, String role) {}

    record NameRequest(String name) {}

    /** {@code filter} matches a name or a role ({@code admin}, {@code operator}, {@code viewer}). */
    record ListRequest(String filter, Integer offset, Integer limit) {}

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
        r.query(SERVICE, "List", Access.ADMIN, ListRequest.class, (ctx, q) -> {
            Paging.Page<User> p = Paging.page(users.list(), q.filter(), q.offset(), q.limit(), u -> Stream.of(u.name(), u.role().wireName()));
            return new UserList(p.items(), p.total());
        });
        r.mutation(SERVICE, "Create", Access.ADMIN, CreateRequest.class, (ctx, q) -> {
            if (q.role() == null) {
                throw TiyiException.invalid("field 'role' is required (admin, operator or viewer)");
            }
            return users.create(ctx.actor(), q.name(), UserRole.parse(q.role()), q.password() == null ? null : q.password().toCharArray(),
                    q.requireChange() != null && q.requireChange());
        });
        r.mutation(SERVICE, "SetPassword", Access.ADMIN, SetPasswordRequest.class, (ctx, q) -> {
            users.setPassword(ctx.actor(), name(q.name()), q.password() == null ? null : q.password().toCharArray(),
                    Boolean.TRUE.equals(q.requireChange()));
            return Empty.INSTANCE;
        });
        r.mutation(SERVICE, "SetRole", Access.ADMIN, SetRoleRequest.class, (ctx, q) -> {
            users.setRole(ctx.actor(), name(q.name()), UserRole.parse(q.role()));
            return users.find(q.name()).orElseThrow();
        });
        r.mutation(SERVICE, "Disable", Access.ADMIN, NameRequest.class, (ctx, q) -> {
            users.setDisabled(ctx.actor(), name(q.name()), true);
            return users.find(q.name()).orElseThrow();
        });
        r.mutation(SERVICE, "Enable", Access.ADMIN, NameRequest.class, (ctx, q) -> {
            users.setDisabled(ctx.actor(), name(q.name()), false);
            return users.find(q.name()).orElseThrow();
        });
        r.mutation(SERVICE, "Delete", Access.ADMIN, NameRequest.class, (ctx, q) -> {
            users.delete(ctx.actor(), name(q.name()));
            return Empty.INSTANCE;
        });
    }
}
