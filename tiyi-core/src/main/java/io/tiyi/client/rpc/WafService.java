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

    /**
     * A change of a site's policy; null fields stay as they are.
     *
     * @param site the site
     * @param mode off, detect or block
     * @param paranoia CRS paranoia level 1-4
     * @param inboundThreshold inbound anomaly score that blocks
     * @param outboundThreshold outbound anomaly score that blocks
     * @param customRules the site's own SecLang; empty clears it
     * @param strictBodies true: a body the WAF cannot parse is refused in block mode and reported in detect mode
     * @param profile {@code standard} (the CRS with a protocol policy for modern traffic; what a site
     *     whose policy was never set gets) or {@code crs} (the rule set as it ships)
     */
    public record SetRequest(String site, String mode, Integer paranoia, Integer inboundThreshold, Integer outboundThreshold, String customRules,
            Boolean strictBodies, String profile) {
        /** A change that leaves strict bodies and the profile as they are. */
        public SetRequest(String site, String mode, Integer paranoia, Integer inboundThreshold, Integer outboundThreshold, String customRules) {
            this(site, mode, paranoia, inboundThreshold, outboundThreshold, customRules, null, null);
        }

        /** A change that leaves the profile as it is. */
        public SetRequest(String site, String mode, Integer paranoia, Integer inboundThreshold, Integer outboundThreshold, String customRules,
                Boolean strictBodies) {
            this(site, mode, paranoia, inboundThreshold, outboundThreshold, customRules, strictBodies, null);
        }
    }

    public record ExcludeRequest(String site, Long ruleId, String tag, String pathPrefix, String method, String target) {}

    public record RemoveRequest(String site, Long id) {}

    public record TestRequest(String site, String request) {}

    public static final Rpc<SiteRequest, JsonNode> GET_POLICY = rpc("GetPolicy", SiteRequest.class);
    public static final Rpc<SetRequest, JsonNode> SET_POLICY = rpc("SetPolicy", SetRequest.class);
    public static final Rpc<ExcludeRequest, JsonNode> ADD_EXCLUSION = rpc("AddExclusion", ExcludeRequest.class);
    public static final Rpc<RemoveRequest, JsonNode> REMOVE_EXCLUSION = rpc("RemoveExclusion", RemoveRequest.class);
    public static final Rpc<TestRequest, JsonNode> TEST = rpc("Test", TestRequest.class);
}
