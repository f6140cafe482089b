package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.AlertsService}: alert firings and rules. */
public final class AlertsService {
    /** The service's name. */
    public static final String NAME = "AlertsService";

    private AlertsService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    /** {@code rule} is a rule's exact name; {@code limit} defaults to 50. */
    public record ListRequest(Integer limit, Boolean unackedOnly, Integer offset, String rule) {}

    public record IdRequest(Long id) {}

    public record RuleRequest(String name, Boolean enabled, Integer windowSeconds, Integer threshold) {}

    public static final Rpc<ListRequest, JsonNode> LIST = rpc("List", ListRequest.class);
    public static final Rpc<IdRequest, JsonNode> GET = rpc("Get", IdRequest.class);
    public static final Rpc<IdRequest, JsonNode> ACK = rpc("Ack", IdRequest.class);
    public static final Rpc<Empty, JsonNode> LIST_RULES = rpc("ListRules", Empty.class);
    public static final Rpc<RuleRequest, JsonNode> UPDATE_RULE = rpc("UpdateRule", RuleRequest.class);
}
