package io.tiyi.cluster;

/** A control-plane node's side of replication and of the two-phase handover, as its peers call it. */
public interface Handover {
    /**
     * A node's role as its peers see it.
     *
     * @param role primary, secondary or agent
     * @param epoch its epoch
     * @param readOnly whether it refuses mutations
     * @param lastSeq its last committed mutation seq
     * @param api its API URL
     */
    record PeerStatus(String role, long epoch, boolean readOnly, long lastSeq, String api) {}

    /**
     * The answer to a demotion.
     *
     * @param epoch the demoted primary's epoch
     * @param lastSeq its last mutation seq, which the new primary must hold before it takes over
     */
    record Demoted(long epoch, long lastSeq) {}

    /**
     * What a promotion did.
     *
     * @param epoch the new epoch
     * @param previousEpoch the epoch of the old primary
     * @param lastSeq the last mutation seq this node holds
     * @param forced whether the old primary was skipped
     * @param tookMs how long the handover took
     * @param message what happened, for the operator
     */
    record Promoted(long epoch, long previousEpoch, long lastSeq, boolean forced, long tookMs, String message) {}

    PeerStatus status();

    String kekFingerprint();

    /** Phase one of a graceful promotion: stop accepting mutations. */
    Demoted demote(String newPrimaryApi);

    /** Undoes {@link #demote} when the promotion was aborted. */
    void undemote();

    /** A promotion finished elsewhere: this node becomes an agent of the new primary. */
    void promoted(long epoch, String primaryApi);
}
