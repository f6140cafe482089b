package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.CertificatesService}: TLS certificates. */
public final class CertificatesService {
    /** The service's name. */
    public static final String NAME = "CertificatesService";

    private CertificatesService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record ImportRequest(String name, String certPem, String keyPem) {
        @Override
        public String toString() {
            return "ImportRequest[name=" + name + "]";
        }
    }

    public record NameRequest(String name) {}

    /** {@code filter} matches a name, a DNS name, the subject or the issuer. */
    public record ListRequest(String filter, Integer offset, Integer limit) {}

    public static final Rpc<ListRequest, JsonNode> LIST = rpc("List", ListRequest.class);
    public static final Rpc<NameRequest, JsonNode> GET = rpc("Get", NameRequest.class);
    public static final Rpc<ImportRequest, JsonNode> IMPORT = rpc("Import", ImportRequest.class);
    public static final Rpc<NameRequest, JsonNode> DELETE = rpc("Delete", NameRequest.class);
}
