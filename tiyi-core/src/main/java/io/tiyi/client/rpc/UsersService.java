package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.UsersService}: account management. */
public final class UsersService {
    /** The service's name. */
    public static final String NAME = "UsersService";

    private UsersService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    /** @param requireChange true when the user must choose a new password at first login (the console sets it) */
    public record CreateRequest(String name, String role, String password, Boolean requireChange) {
        @Override
        public String toString() {
            return "CreateRequest[name=" + name + ", role=" + role + "]";
        }
    }

    public record SetPasswordRequest(String name, String password, Boolean requireChange) {
        @Override
        public String toString() {
            return "SetPasswordRequest[name=" + name + "]";
        }
    }

    public record SetRoleRequest(String name, String role) {}

    public record NameRequest(String name) {}

    /** {@code filter} matches a name or a role ({@code admin}, {@code operator}, {@code viewer}). */
    public record ListRequest(String filter, Integer offset, Integer limit) {}

    public static final Rpc<ListRequest, JsonNode> LIST = rpc("List", ListRequest.class);
    public static final Rpc<CreateRequest, JsonNode> CREATE = rpc("Create", CreateRequest.class);
    public static final Rpc<SetPasswordRequest, JsonNode> SET_PASSWORD = rpc("SetPassword", SetPasswordRequest.class);
    public static final Rpc<SetRoleRequest, JsonNode> SET_ROLE = rpc("SetRole", SetRoleRequest.class);
    public static final Rpc<NameRequest, JsonNode> DISABLE = rpc("Disable", NameRequest.class);
    public static final Rpc<NameRequest, JsonNode> ENABLE = rpc("Enable", NameRequest.class);
    public static final Rpc<NameRequest, JsonNode> DELETE = rpc("Delete", NameRequest.class);
}
