package io.tiyi.api;

import io.tiyi.ErrorCode;

/**
 * Where the RPC API reports a state-changing call it refused an authenticated user (a role too
 * low, a bad argument, a failed precondition), so that the audit log shows attempts and not only
 * successes. Calls without a valid token are not reported: they name nobody, and anyone could
 * fill the log with them.
 */
@FunctionalInterface
public interface RefusedCalls {
    /** Reports nothing. */
    RefusedCalls NONE = (actor, method, code, reason) -> {};

    /**
     * Records one refusal. Runs on a worker thread and may block briefly; a node that takes no
     * writes drops it.
     *
     * @param actor who called
     * @param method {@code <Service>/<Method>}
     * @param code the error's wire name, for example {@code permission_denied}
     * @param reason the error message the caller got
     */
    void refused(String actor, String method, ErrorCode code, String reason);
}
