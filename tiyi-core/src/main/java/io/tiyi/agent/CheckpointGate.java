package io.tiyi.agent;

import io.tiyi.bundle.Checkpoint;
import io.tiyi.bundle.SignedCheckpoint;
import java.util.Optional;

/**
 * Decides whether an agent keeps an audit checkpoint it was sent instead of the one it holds. The
 * chain only grows, so a checkpoint that counts fewer entries than the held one, or the same
 * number with another head, at the same epoch, means the primary's chain was cut or rewritten: it
 * is refused as tampering. At a later epoch the same is what a forced promotion does (the new
 * primary never had the old one's last entries), so it is kept, with a warning that names the
 * entries gone. One from a lower epoch comes from a demoted primary and is refused quietly, as
 * its bundles are.
 */
final class CheckpointGate {
    private CheckpointGate() {}

    /** What to do with a checkpoint. */
    enum Verdict {
        /** Newer than the held one: keep it. */
        KEEP,
        /** The held one again, or an older signature of it: nothing to do. */
        SAME,
        /** Not signed by the pinned key, unreadable, or from a lower epoch. */
        UNTRUSTED,
        /** Says the chain shrank or changed: evidence of tampering on the primary. */
        BACKWARDS,
        /** Shorter or different, but from a later epoch: a forced promotion lost the old primary's newest entries. Kept. */
        REBASED
    }

    /**
     * @param verdict what to do
     * @param checkpoint the checkpoint as opened, when it verified
     * @param reason why it is refused, or empty
     */
    record Decision(Verdict verdict, Checkpoint checkpoint, String reason) {}

    static Decision check(SignedCheckpoint sent, byte[] pinnedKey, Optional<Checkpoint> held) {
        Optional<Checkpoint> opened = sent.open(pinnedKey);
        if (opened.isEmpty()) {
            return new Decision(Verdict.UNTRUSTED, null, "audit checkpoint signed by " + sent.signer()
                    + " does not verify with the pinned signing key");
        }
        Checkpoint c = opened.get();
        if (held.isEmpty()) {
            return new Decision(Verdict.KEEP, c, "");
        }
        Checkpoint h = held.get();
        if (c.epoch() < h.epoch()) {
            return new Decision(Verdict.UNTRUSTED, c, "audit checkpoint " + c.brief() + " is from epoch " + c.epoch()
                    + ", lower than the held " + h.brief() + ": it comes from a demoted or stale control plane");
        }
        boolean shorter = c.count() < h.count();
        boolean different = c.count() == h.count() && !c.headHash().equals(h.headHash());
        if (c.epoch() > h.epoch() && (shorter || different)) {
            return new Decision(Verdict.REBASED, c, "audit checkpoint " + c.brief() + " of epoch " + c.epoch() + " does not extend the held "
                    + h.brief() + " of epoch " + h.epoch() + ": entries up to #" + h.count()
                    + " of the old primary are not in the new primary's chain (a forced promotion loses what was not replicated)");
        }
        if (shorter) {
            return new Decision(Verdict.BACKWARDS, c, "audit checkpoint " + c.brief() + " counts fewer entries than the held "
                    + h.brief() + ": the audit chain on " + c.nodeId() + " lost its newest entries");
        }
        if (different) {
            return new Decision(Verdict.BACKWARDS, c, "audit checkpoint " + c.brief() + " names another head for entry #" + c.count()
                    + " than the held " + h.brief() + ": the audit chain on " + c.nodeId() + " was rewritten");
        }
        if (c.count() == h.count() && c.epoch() == h.epoch() && c.ts() <= h.ts()) {
            return new Decision(Verdict.SAME, c, "");
        }
        return new Decision(Verdict.KEEP, c, "");
    }
}
