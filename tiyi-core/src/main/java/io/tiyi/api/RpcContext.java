package io.tiyi.api;

import io.tiyi.TiyiException;
import io.tiyi.auth.Caller;
import io.tiyi.auth.UserRole;

/**
 * What an RPC method knows about its call.
 *
 * @param caller the authenticated caller, or null for a {@link Access#PUBLIC} method
 * @param client the client's address
 * @param agentId the calling agent, for an {@link Access#AGENT} method, else null
 */
public record RpcContext(Caller caller, String client, String agentId) {
    /** The actor name for mutations. */
    public String actor() {
        return agentId != null ? "agent:" + agentId : caller == null ? "anonymous" : caller.actor();
    }

    /** Refuses unless the caller has at least {@code role}. */
    public void require(UserRole role, String what) {
        if (caller == null || !caller.role().atLeast(role)) {
            throw TiyiException.permissionDenied(what + " needs role " + role.wireName()
                    + (caller == null ? "" : "; you are " + caller.role().wireName()));
        }
    }
}
