package io.tiyi.agent;

import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.bundle.SignedBundle.Refusal;
import io.tiyi.bundle.SignedBundle.RefusedException;

/**
 * The checks a bundle passes before an agent applies it: signed by the pinned key (never
 * re-pinned), for this agent, from an epoch no lower than the highest seen, and newer than the
 * bundle in force (no rollback).
 */
final class BundleGate {
    private BundleGate() {}

    /**
     * @param appliedEpoch epoch of the bundle in force, 0 for none
     * @param appliedSeq seq of the bundle in force
     * @return the bundle, when it is newer than the one in force
     * @throws RefusedException with the reason
     */
    public static Bundle check(SignedBundle signed, AgentFiles.Pin pin, String agentId, long appliedEpoch, long appliedSeq)
            throws RefusedException {
        Bundle b = signed.open(pin.signingKey());
        if (!agentId.equals(b.agentId())) {
            throw new RefusedException(Refusal.OTHER_AGENT, "bundle " + b.version() + " was compiled for agent " + b.agentId() + ", not "
                    + agentId);
        }
        if (b.epoch() < pin.highestEpoch()) {
            throw new RefusedException(Refusal.LOWER_EPOCH, "bundle " + b.version() + " is from epoch " + b.epoch()
                    + ", lower than epoch " + pin.highestEpoch() + " already seen: it comes from a demoted or stale control plane");
        }
        if (Bundle.compare(b.epoch(), b.seq(), appliedEpoch, appliedSeq) < 0) {
            throw new RefusedException(Refusal.LOWER_VERSION, "bundle " + b.version() + " is older than the bundle in force "
                    + appliedEpoch + "." + appliedSeq + "; refusing to roll back");
        }
        return b;
    }
}
