package io.tiyi.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start fence's rule, one case at a time, and the peers a primary keeps for it across a restart. */
class StartFenceRuleTest {
    private static final String B = "http://10.0.0.2:8080";
    private static final String C = "http://10.0.0.3:8080";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static StartFence.Round round(Map<String, Long> answered, String... silent) {
        java.util.ArrayList<String> known = new java.util.ArrayList<>(answered.keySet());
        known.addAll(List.of(silent));
        return new StartFence.Round(known, answered, List.of(silent));
    }

    @Test
    void noPeerKnownOpensAtOnce() {
        assertThat(new StartFence(List.of("ag-1"), WAIT, 0).verdict(round(Map.of()), 1, 0)).isNull();
    }

    @Test
    void everyPeerAtThisEpochOrLowerOpens() {
        assertThat(new StartFence(List.of(), WAIT, 0).verdict(round(Map.of(B, 1L, C, 0L)), 1, 0)).isNull();
    }

    @Test
    void aPeerAtAHigherEpochThatIsNotTheReadWritePrimaryKeepsTheFence() {
        assertThat(new StartFence(List.of(), WAIT, 0).verdict(round(Map.of(B, 2L)), 1, 0)).contains("peer " + B + " is at epoch 2");
    }

    @Test
    void aSilentPeerWaitsForEveryAgentActiveBeforeTheRestart() {
        StartFence f = new StartFence(List.of("ag-1", "ag-2"), WAIT, 0);
        StartFence.Round r = round(Map.of(C, 1L), B);
        assertThat(f.verdict(r, 1, 1_000)).contains("peer " + B + " did not answer").contains("0 of the 2 agents").contains("waiting up to 30 s");
        f.reported("ag-1", 1);
        f.reported("ag-9", 1);
        assertThat(f.verdict(r, 1, 1_000)).contains("1 of the 2 agents");
        assertThat(f.verdict(r, 1, 31_000)).as("after the wait").contains("stays read-only").contains("resume-writes");
        f.reported("ag-2", 0);
        assertThat(f.verdict(r, 1, 31_000)).as("every agent reported, none saw a higher epoch").isNull();
    }

    @Test
    void anAgentThatSawAHigherEpochIsNoEvidenceForOpening() {
        StartFence f = new StartFence(List.of("ag-1"), WAIT, 0);
        f.reported("ag-1", 2);
        assertThat(f.verdict(round(Map.of(), B), 1, 1_000)).contains("0 of the 1 agents");
    }

    @Test
    void aSilentPeerAndNoAgentKeepTheFenceWithoutWaiting() {
        assertThat(new StartFence(List.of(), WAIT, 0).verdict(round(Map.of(), B), 1, 0)).contains("no separate agent reported")
                .contains("stays read-only");
    }

    @Test
    void thePeersKeptSurviveARestartAndAnUnreadableFileIsNone(@TempDir Path dir) throws Exception {
        KnownPeers.Snapshot s = new KnownPeers.Snapshot("http://10.0.0.1:8080", List.of(B), List.of("ag-1"));
        new KnownPeers(dir).save(s);
        assertThat(new KnownPeers(dir).load()).isEqualTo(s);
        java.nio.file.Files.writeString(dir.resolve(KnownPeers.FILE), "{not json");
        assertThat(new KnownPeers(dir).load()).isEqualTo(KnownPeers.Snapshot.NONE);
    }
}
