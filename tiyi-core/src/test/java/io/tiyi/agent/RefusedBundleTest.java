package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiCluster;
import io.tiyi.TiyiNode;
import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.testsupport.ClusterExtension;
import io.tiyi.testsupport.TestUpstream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A refused bundle never poisons an agent's progress: one that claims a far higher version but is
 * signed by another key, or was tampered with, is refused and reported, and every genuine bundle
 * after it still applies within 2 s.
 */
class RefusedBundleTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(1);

    TiyiCluster cluster;
    TestUpstream up;

    @BeforeEach
    void start() throws Exception {
        up = new TestUpstream("app");
        cluster = clusters.cluster();
        cluster.client().raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stopUpstream() {
        up.close();
    }

    SignedBundle bad(String kind, AgentRuntime agent) {
        if (kind.equals("forged")) {
            Bundle b = new Bundle(Bundle.FORMAT, 99, 999_999, agent.agentId(), System.currentTimeMillis(),
                    RuntimeConfig.empty(new RuntimeConfig.Listeners("127.0.0.1:0", "127.0.0.1:0")), Map.of(),
                    new Bundle.RulesRef("builtin", null, 0), List.of("http://127.0.0.1:9"), List.of());
            return SignedBundle.sign(b, Ed25519KeyPair.generate());
        }
        SignedBundle genuine = new AgentFiles(clusters.root().resolve("agent-0")).lastBundle().orElseThrow();
        byte[] payload = genuine.payload().clone();
        payload[payload.length / 2] ^= 1;
        return new SignedBundle(payload, genuine.signature(), genuine.signingKey());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"forged", "tampered"})
    void genuineBundlesStillApplyWithin2sAfterARefusal(String kind) throws Exception {
        AgentRuntime agent = cluster.agent(0).agent().orElseThrow();
        long[] before = agent.appliedVersion();
        SignedBundle bad = bad(kind, agent);
        assertThat(agent.receive(bad)).as("a refused bundle asks the caller to pause before asking again").isTrue();
        assertThat(agent.appliedVersion()).isEqualTo(before);
        assertThat(agent.currentReport().refused()).isNotNull();
        assertThat(agent.receive(bad)).as("the same refused bundle again").isTrue();

        for (String mode : List.of("block", "detect", "block")) {
            long committed = System.nanoTime();
            cluster.client().raw("WafService", "SetPolicy", Map.of("site", "shop", "mode", mode));
            TiyiNode p = cluster.currentPrimary();
            assertThat(p.awaitDataPlane(Duration.ofSeconds(10))).isTrue();
            long seq = p.runtimeVersion();
            agent.applied(p.epoch(), seq).get(2_000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - committed), TimeUnit.MILLISECONDS);
            assertThat(agent.appliedVersion()).containsExactly(p.epoch(), seq);
        }
        assertThat(agent.currentReport().refused()).as("a bundle that applied clears the refusal").isNull();
        assertThat(agent.knownEndpoints()).as("a refused bundle teaches no endpoints").doesNotContain("http://127.0.0.1:9");
    }
}
