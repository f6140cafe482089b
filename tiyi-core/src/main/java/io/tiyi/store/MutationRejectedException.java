package io.tiyi.store;

import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;

/** The node may not accept mutations now; nothing was changed. */
public final class MutationRejectedException extends TiyiException {
    private static final long serialVersionUID = 1L;

    /** Why a mutation was refused. */
    public enum Reason {
        /** This node is not the primary. */
        NOT_PRIMARY,
        /** This node was demoted or fenced and accepts no changes. */
        READ_ONLY,
        /** The caller's or this node's epoch is older than the persisted one. */
        STALE_EPOCH
    }

    private final Reason reason;

    public MutationRejectedException(Reason reason, String message) {
        super(ErrorCode.FAILED_PRECONDITION, message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
