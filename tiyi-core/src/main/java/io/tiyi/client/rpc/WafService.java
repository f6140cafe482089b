package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.WafService}: per-site WAF policies and trying a request against one. */
public final class WafService {
    /** The service's name. */
    public static final String NAME = "WafService";

    private WafService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record SiteRequest(String site) {}

    public record SetRequest(String site, String mode, Integer paranoia, Integer inboundThreshold, Integer outboundThreshold, String customRules) {}

    public record ExcludeRequest(String site, Long ruleId, String tag, String pathPrefix, String method, String target) {}

    public record RemoveRequest(String site, Long id) {}

    public record TestRequest(String site, String request) {}

    public static final Rpc<SiteRequest, JsonNode> GET_POLICY = rpc("GetPolicy", SiteRequest.class);
    public static final Rpc<SetRequest, JsonNode> SET_POLICY = rpc("SetPolicy", SetRequest.class);
    public static final Rpc<ExcludeRequest, JsonNode> ADD_EXCLUSION = rpc("AddExclusion", ExcludeRequest.class);
    public static final Rpc<RemoveRequest, JsonNode> REMOVE_EXCLUSION = rpc("RemoveExclusion", RemoveRequest.class);
    public static final Rpc<TestRequest, JsonNode> TEST = rpc("Test", TestRequest.class);
}
