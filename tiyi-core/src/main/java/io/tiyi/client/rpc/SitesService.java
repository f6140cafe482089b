package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** {@code tiyi.v1.SitesService}: sites and their routes. */
public final class SitesService {
    /** The service's name. */
    public static final String NAME = "SitesService";

    private SitesService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record PutRequest(String name, List<String> hosts, List<String> upstreams, String lb, String healthPath, String certificate) {}

    public record NameRequest(String name) {}

    public record RouteRequest(String site, String pathPrefix, List<String> upstreams, String lb) {}

    /** {@code filter} matches a name, host, upstream or certificate name. */
    public record ListRequest(String filter, Integer offset, Integer limit) {}

    public static final Rpc<ListRequest, JsonNode> LIST = rpc("List", ListRequest.class);
    public static final Rpc<NameRequest, JsonNode> GET = rpc("Get", NameRequest.class);
    public static final Rpc<PutRequest, JsonNode> CREATE = rpc("Create", PutRequest.class);
    public static final Rpc<PutRequest, JsonNode> UPDATE = rpc("Update", PutRequest.class);
    public static final Rpc<NameRequest, JsonNode> DELETE = rpc("Delete", NameRequest.class);
    public static final Rpc<RouteRequest, JsonNode> ADD_ROUTE = rpc("AddRoute", RouteRequest.class);
    public static final Rpc<RouteRequest, JsonNode> REMOVE_ROUTE = rpc("RemoveRoute", RouteRequest.class);
}
