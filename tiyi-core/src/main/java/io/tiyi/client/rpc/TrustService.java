package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** {@code tiyi.v1.TrustService}: which proxies are trusted to name the client. */
public final class TrustService {
    /** The service's name. */
    public static final String NAME = "TrustService";

    private TrustService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record SetRequest(List<String> trustedProxies, List<String> clientIpHeaders, List<String> cdnProviders) {}

    /**
     * A request to explain.
     *
     * @param peer the TCP peer
     * @param headers header lines, {@code Name: value}
     */
    public record TestRequest(String peer, List<String> headers) {}

    public record ProviderRequest(String provider) {}

    public static final Rpc<Empty, JsonNode> GET = rpc("Get", Empty.class);
    public static final Rpc<SetRequest, JsonNode> SET = rpc("Set", SetRequest.class);
    public static final Rpc<TestRequest, JsonNode> TEST = rpc("Test", TestRequest.class);
    public static final Rpc<Empty, JsonNode> CDN_LIST = rpc("CdnList", Empty.class);
    public static final Rpc<ProviderRequest, JsonNode> CDN_REFRESH = rpc("CdnRefresh", ProviderRequest.class);
}
