package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.agent.CheckpointGate.Verdict;
import io.tiyi.bundle.Checkpoint;
import io.tiyi.bundle.SignedCheckpoint;
import io.tiyi.crypto.Ed25519KeyPair;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CheckpointGateTest {
    static final Ed25519KeyPair KEY = Ed25519KeyPair.generate();
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);

    static SignedCheckpoint signed(long count, String head, long epoch, long ts) {
        return SignedCheckpoint.sign(new Checkpoint(count, head, epoch, ts, "node-1"), KEY);
    }

    static Verdict check(SignedCheckpoint sent, Checkpoint held) {
        return CheckpointGate.check(sent, KEY.publicKey(), Optional.ofNullable(held)).verdict();
    }

    @Test
    void theFirstCheckpointIsKept() {
        assertThat(check(signed(5, A, 1, 100), null)).isEqualTo(Verdict.KEEP);
    }

    @Test
    void aLongerChainOrALaterEpochIsKept() {
        Checkpoint held = new Checkpoint(5, A, 1, 100, "node-1");
        assertThat(check(signed(6, B, 1, 50), held)).isEqualTo(Verdict.KEEP);
        assertThat(check(signed(5, A, 2, 200), held)).isEqualTo(Verdict.KEEP);
        assertThat(check(signed(5, A, 1, 160), held)).as("a fresher signature of the same head").isEqualTo(Verdict.KEEP);
        assertThat(check(signed(5, A, 1, 100), held)).isEqualTo(Verdict.SAME);
    }

    @Test
    void fewerEntriesAtTheSameEpochIsRefusedAsTampering() {
        Checkpoint held = new Checkpoint(5, A, 1, 100, "node-1");
        assertThat(check(signed(4, B, 1, 200), held)).isEqualTo(Verdict.BACKWARDS);
        CheckpointGate.Decision d = CheckpointGate.check(signed(5, B, 1, 200), KEY.publicKey(), Optional.of(held));
        assertThat(d.verdict()).isEqualTo(Verdict.BACKWARDS);
        assertThat(d.reason()).contains("another head for entry #5").contains("rewritten");
    }

    @Test
    void aShorterOrDifferentChainAtALaterEpochIsWhatAForcedPromotionLeavesAndIsKept() {
        Checkpoint held = new Checkpoint(5, A, 1, 100, "node-1");
        CheckpointGate.Decision d = CheckpointGate.check(signed(4, B, 2, 200), KEY.publicKey(), Optional.of(held));
        assertThat(d.verdict()).isEqualTo(Verdict.REBASED);
        assertThat(d.reason()).contains("epoch 2").contains("forced promotion");
        assertThat(check(signed(5, B, 2, 200), held)).isEqualTo(Verdict.REBASED);
        assertThat(check(signed(6, B, 2, 200), held)).as("longer: the gate cannot tell, and keeps it").isEqualTo(Verdict.KEEP);
    }

    @Test
    void aCheckpointFromALowerEpochOrAnotherKeyIsNotTrusted() {
        Checkpoint held = new Checkpoint(5, A, 2, 100, "node-1");
        assertThat(check(signed(9, B, 1, 200), held)).isEqualTo(Verdict.UNTRUSTED);
        SignedCheckpoint other = SignedCheckpoint.sign(new Checkpoint(9, B, 2, 200, "node-x"), Ed25519KeyPair.generate());
        assertThat(check(other, held)).isEqualTo(Verdict.UNTRUSTED);
        SignedCheckpoint s = signed(9, B, 2, 200);
        s.payload()[2] ^= 1;
        assertThat(check(s, held)).as("altered on the way").isEqualTo(Verdict.UNTRUSTED);
    }
}
