package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.bundle.AgentReport;
import java.util.List;

/** {@code tiyi.v1.AgentsService}: enrollment tokens, enrollment and the fleet. */
public final class AgentsService {
    /** The service's name. */
    public static final String NAME = "AgentsService";

    private AgentsService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record IssueRequest(String tag, String ttl) {}

    public record IdRequest(String id) {}

    /** What an agent sends to enroll; {@code proof} is its ed25519 signature over the enrollment's proof message. */
    public record EnrollRequest(String token, byte[] x25519Public, byte[] ed25519Public, byte[] proof) {}

    public record ListRequest(String filter, Integer offset, Integer limit) {}

    /** What an enrolled agent keeps: its id and credential, and the key its bundles are signed with. */
    public record EnrollResponse(String agentId, String credential, String tag, byte[] signingKey, String signingKeyFingerprint, long epoch,
            String version) {}

    /**
     * @param epoch the node's epoch
     * @param primary whether the node is a read-write primary
     * @param bundleVersion the bundle version it serves
     * @param endpoints every control-plane endpoint the node knows, an unsigned hint for finding the
     *     primary; left out for agents of other builds, whose strict decoding would refuse the field
     */
    public record ReportResponse(long epoch, boolean primary, String bundleVersion,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) List<String> endpoints) {}

    public static final Rpc<IssueRequest, JsonNode> ISSUE_TOKEN = rpc("IssueToken", IssueRequest.class);
    public static final Rpc<Empty, JsonNode> LIST_TOKENS = rpc("ListTokens", Empty.class);
    public static final Rpc<IdRequest, JsonNode> REVOKE_TOKEN = rpc("RevokeToken", IdRequest.class);
    public static final Rpc<EnrollRequest, EnrollResponse> ENROLL = Rpc.of(NAME, "Enroll", EnrollRequest.class, EnrollResponse.class);
    public static final Rpc<ListRequest, JsonNode> LIST = rpc("List", ListRequest.class);
    public static final Rpc<IdRequest, JsonNode> GET = rpc("Get", IdRequest.class);
    public static final Rpc<IdRequest, JsonNode> REVOKE = rpc("Revoke", IdRequest.class);
    /** An agent's periodic report of its health and the bundle it runs. */
    public static final Rpc<AgentReport, ReportResponse> REPORT = Rpc.of(NAME, "Report", AgentReport.class, ReportResponse.class);
}
