package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.AuthService}: login, refresh, logout and the caller's own account. */
public final class AuthService {
    /** The service's name. */
    public static final String NAME = "AuthService";

    private AuthService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record LoginRequest(String user, String password) {
        @Override
        public String toString() {
            return "LoginRequest[user=" + user + "]";
        }
    }

    public record RefreshRequest(String refreshToken) {
        @Override
        public String toString() {
            return "RefreshRequest[]";
        }
    }

    public record ChangePasswordRequest(String password) {
        @Override
        public String toString() {
            return "ChangePasswordRequest[]";
        }
    }

    public static final Rpc<LoginRequest, JsonNode> LOGIN = rpc("Login", LoginRequest.class);
    public static final Rpc<RefreshRequest, JsonNode> REFRESH = rpc("Refresh", RefreshRequest.class);
    public static final Rpc<RefreshRequest, JsonNode> LOGOUT = rpc("Logout", RefreshRequest.class);
    public static final Rpc<ChangePasswordRequest, JsonNode> CHANGE_PASSWORD = rpc("ChangePassword", ChangePasswordRequest.class);
    /** @param local whether the caller holds the node's local admin credential rather than a user's session */
    public record WhoAmI(String user, String role, boolean mustChangePassword, boolean local) {}

    public static final Rpc<Empty, WhoAmI> WHO_AM_I = Rpc.of(NAME, "WhoAmI", Empty.class, WhoAmI.class);
}
