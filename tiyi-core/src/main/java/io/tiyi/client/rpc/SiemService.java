package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.SiemService}: the SIEM export's status and a test event. */
public final class SiemService {
    /** The service's name. */
    public static final String NAME = "SiemService";

    private SiemService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public static final Rpc<Empty, JsonNode> TEST = rpc("Test", Empty.class);
    public static final Rpc<Empty, JsonNode> STATUS = rpc("Status", Empty.class);
}
