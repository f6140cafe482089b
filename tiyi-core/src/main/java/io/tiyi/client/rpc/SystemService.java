package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.SystemService}: the node's status, settings and changes of role. */
public final class SystemService {
    /** The service's name. */
    public static final String NAME = "SystemService";

    private SystemService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record KeyRequest(String key) {}

    public record UpdateRequest(String key, String value) {}

    public record DemoteRequest(String newPrimaryApi) {}

    /** @param yes the operator made sure no other primary serves */
    public record ResumeRequest(Boolean yes) {}

    public record PromoteRequest(Boolean force) {}

    public static final Rpc<Empty, JsonNode> STATUS = rpc("Status", Empty.class);
    public static final Rpc<Empty, JsonNode> LIST_SETTINGS = rpc("ListSettings", Empty.class);
    public static final Rpc<KeyRequest, JsonNode> GET_SETTING = rpc("GetSetting", KeyRequest.class);
    public static final Rpc<UpdateRequest, JsonNode> UPDATE_SETTING = rpc("UpdateSetting", UpdateRequest.class);
    public static final Rpc<DemoteRequest, JsonNode> DEMOTE = rpc("Demote", DemoteRequest.class);
    public static final Rpc<ResumeRequest, JsonNode> RESUME_WRITES = rpc("ResumeWrites", ResumeRequest.class);
    public static final Rpc<PromoteRequest, JsonNode> PROMOTE = rpc("Promote", PromoteRequest.class);
}
