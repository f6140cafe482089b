package io.tiyi.audit;

import io.tiyi.ErrorCode;
import io.tiyi.api.RefusedCalls;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.MutationRejectedException;
import java.util.Map;

/**
 * Writes a refused state-changing call to the audit log as {@code rpc.refused}, target
 * {@code <Service>/<Method>}, with the error's code and message. A node that takes no writes (a
 * secondary, a read-only restore) cannot append to the replicated log and drops it, as it does
 * failed logins.
 */
public final class RefusedCallAudit implements RefusedCalls {
    /** The audit action of a refused call. */
    public static final String ACTION = "rpc.refused";

    private final MutationPipeline pipeline;

    public RefusedCallAudit(MutationPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public void refused(String actor, String method, ErrorCode code, String reason) {
        try {
            pipeline.recordAudit(actor, new AuditRecord(ACTION, method, Map.of("code", code.wireName(), "reason", reason)));
        } catch (MutationRejectedException e) {
            // This node stopped taking writes since the call began; the caller still gets its error.
        }
    }
}
