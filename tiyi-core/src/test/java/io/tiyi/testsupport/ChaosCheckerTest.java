package io.tiyi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChaosCheckerTest {
    private final ChaosHistory h = new ChaosHistory(7);
    private final long t0 = h.originNanos();

    private void ack(String id, String node, long epoch, long startMs, long endMs) {
        h.ack(id, node, epoch, t0 + startMs * 1_000_000, t0 + endMs * 1_000_000);
    }

    @Test
    void aCleanHandOverKeepsEveryInvariant() {
        ack("a1", "primary", 1, 0, 10);
        ack("a2", "primary", 1, 10, 20);
        ack("b1", "secondary", 2, 30, 40);
        h.sampleApplied("agent-0", 1, 5);
        h.sampleApplied("agent-0", 2, 1);
        assertThat(ChaosChecker.violations(h, "secondary", Set.of("a1", "a2", "b1"))).isEmpty();
    }

    @Test
    void writesInFlightAcrossTheHandOverAreNotTwoWriters() {
        ack("a1", "primary", 1, 0, 10);
        ack("b1", "secondary", 2, 5, 15);
        // Sent before b1 returned: it may have been acknowledged before b1 was.
        ack("a2", "primary", 1, 8, 20);
        assertThat(ChaosChecker.violations(h, "secondary", Set.of("a1", "a2", "b1"))).isEmpty();
    }

    @Test
    void anOldPrimaryAcknowledgingAfterTheNewOneIsTwoWriters() {
        ack("a1", "primary", 1, 0, 10);
        ack("b1", "secondary", 2, 20, 30);
        ack("a2", "primary", 1, 40, 50);
        assertThat(ChaosChecker.violations(h, "secondary", Set.of("a1", "a2", "b1"))).anySatisfy(v -> assertThat(v)
                .startsWith("two writers: primary acknowledged a1@1 [0..10 ms], then secondary b1@2 [20..30 ms], then primary again a2@1"));
    }

    @Test
    void aFirstAcknowledgementAtALowerEpochAfterAHigherOneIsStale() {
        ack("b1", "secondary", 2, 0, 10);
        ack("a1", "primary", 1, 20, 30);
        assertThat(ChaosChecker.violations(h, "secondary", Set.of("b1"))).containsExactly(
                "stale epoch: primary acknowledged a1@1 [20..30 ms] after secondary acknowledged b1@2 [0..10 ms] at a higher epoch");
    }

    @Test
    void aWriteAcknowledgedBeforeAGracefulPromotionMustBeOnTheNewPrimary() {
        ack("a1", "primary", 1, -20, -10);
        ack("a2", "primary", 1, -10, -5);
        h.promoted("primary", "secondary", true);
        assertThat(ChaosChecker.violations(h, "secondary", Set.of("a1"))).singleElement().asString()
                .startsWith("lost on graceful promotion: 1 writes primary acknowledged before the promotion of secondary")
                .contains("first a2@1 [-10..-5 ms]");
    }

    @Test
    void aForcedPromotionMayLoseWhatWasNotReplicatedButNotWhatTheNewPrimaryAcknowledged() {
        ack("a1", "primary", 1, -20, -10);
        h.promoted("primary", "secondary", false);
        ack("b1", "secondary", 2, 100, 110);
        assertThat(ChaosChecker.violations(h, "secondary", Set.of("b1"))).isEmpty();
        assertThat(ChaosChecker.violations(h, "secondary", Set.of())).containsExactly(
                "lost on the primary itself: 1 writes secondary acknowledged are not on it, first b1@2 [100..110 ms]");
    }

    @Test
    void noPrimaryAfterHealingIsAViolation() {
        assertThat(ChaosChecker.violations(h, null, Set.of())).containsExactly("no read-write primary once every fault was healed");
    }

    @Test
    void anAgentGoingBackToALowerEpochIsCaughtButServingNothingYetIsNot() {
        h.sampleApplied("agent-1", 2, 3);
        h.sampleApplied("agent-1", 0, 0);
        h.sampleApplied("agent-1", 2, 4);
        assertThat(ChaosChecker.violations(h, "secondary", Set.of())).isEmpty();
        h.sampleApplied("agent-1", 1, 9);
        List<String> v = ChaosChecker.violations(h, "secondary", Set.of());
        assertThat(v).singleElement().asString().startsWith("agent went back: agent-1 applied 2.3 at").contains("then 1.9 at");
    }

    @Test
    void aFailureNamesTheSeedHowToReplayItAndTheHistory() {
        ack("b1", "secondary", 2, 0, 10);
        ack("a1", "primary", 1, 20, 30);
        h.fault("kill primary");
        assertThatThrownBy(() -> ChaosChecker.assertHolds(h, "secondary", Set.of("b1"))).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("chaos seed 7 (replay with -Dchaos.seed=7): 1 violation(s)").hasMessageContaining("FAULT kill primary")
                .hasMessageContaining("secondary@2 acknowledged 1 writes until 10 ms").hasMessageContaining("seed 7: 1 faults, 2 writes acknowledged");
    }
}
