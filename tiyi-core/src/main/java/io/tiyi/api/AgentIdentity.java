package io.tiyi.api;

/**
 * The enrolled agent behind an agent credential, as the RPC API needs it.
 *
 * @param id the agent id
 * @param secondary true for a secondary control-plane node (enrolled with tag {@value #SECONDARY_TAG})
 */
public record AgentIdentity(String id, boolean secondary) {
    /** The enrollment tag that makes an agent a secondary. */
    public static final String SECONDARY_TAG = "secondary";
}
