package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.agent.AgentRuntime;
import io.tiyi.cluster.Role;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import io.tiyi.testsupport.TestUpstream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Agents follow a promotion in the order the README sets a cluster up: the primary, then an
 * agent, and only then a secondary, which the agent never enrolled with. The agent learns the
 * secondary from the control plane's answers and keeps it in its state directory, so it finds the
 * new primary after a graceful or forced promotion, after a restart with its old {@code --api}, and
 * within 2 s of the new primary answering however long the old one was gone.
 */
class AgentFollowsPromotionTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(1).withJwtSecret("follow-test-secret-0123456789abcdef");

    TiyiCluster cluster;
    TestUpstream up;

    @BeforeEach
    void readmeOrder() throws Exception {
        up = new TestUpstream("app");
        cluster = clusters.cluster();
        cluster.client().raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        cluster.addSecondary();
        // No change after the secondary joined, so no bundle names it: the agent learns it from the answers to its reports
        // (sent every 10 s; here at once).
        String secondary = cluster.apiUrl(TiyiCluster.SECONDARY);
        Await.until(Duration.ofSeconds(20), "the agent learns the secondary it never enrolled with", () -> {
            agent().report();
            return agent().knownEndpoints().contains(secondary);
        });
        // The last bundle of the setup may still be on its way to the agent: wait until it serves what the primary serves.
        Await.until(Duration.ofSeconds(10), "the agent serves the primary's bundle",
                () -> agent().appliedVersion()[0] == 1 && agent().appliedVersion()[1] == cluster.primary().runtimeVersion());
        assertThat(clusters.root().resolve("agent-0").resolve("endpoints.json")).content().contains(secondary);
    }

    @AfterEach
    void stopUpstream() {
        up.close();
    }

    AgentRuntime agent() {
        return cluster.agent(0).agent().orElseThrow();
    }

    /** A policy change on the new primary reaches the agent within 5 s. */
    void policyChangeReachesTheAgent() throws InterruptedException {
        assertThat(cluster.currentPrimary()).isSameAs(cluster.secondary());
        cluster.client().raw("WafService", "SetPolicy", Map.of("site", "shop", "mode", "block"));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(5))).as("the agent runs the new primary's latest bundle within 5 s").isTrue();
        assertThat(agent().appliedVersion()[0]).isEqualTo(2);
        assertThat(agent().identity().api()).as("the agent follows the new primary from now on").isEqualTo(
                cluster.apiUrl(TiyiCluster.SECONDARY));
    }

    @ParameterizedTest(name = "forced={0}")
    @ValueSource(booleans = {false, true})
    void theAgentFollowsAPromotion(boolean forced) throws Exception {
        if (forced) {
            cluster.killPrimary();
        }
        cluster.promote(forced);
        policyChangeReachesTheAgent();
    }

    @Test
    void anAgentRestartedWithItsOldApiFindsTheNewPrimary() throws Exception {
        cluster.stopAgent(0);
        cluster.killPrimary();
        cluster.promote(true);
        // restartAgent starts it with --api pointing at the old primary, which is gone.
        cluster.restartAgent(0);
        policyChangeReachesTheAgent();
    }

    @Test
    void anAgentFollowsWithin2sOfTheNewPrimaryWhateverItsBackoff() throws Exception {
        cluster.killPrimary();
        Await.until(Duration.ofSeconds(10), "the agent notices the primary is gone", () -> !agent().controlPlaneReachable());
        // A long outage (only time passing, nothing asserted on it): a poll's backoff would have grown to several seconds by now.
        Thread.sleep(6_000);
        var promoted = cluster.promote(true);
        long reachable = System.nanoTime();
        long epoch = promoted.get("epoch").asLong();
        agent().applied(epoch, 0).get(10, TimeUnit.SECONDS);
        long followedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reachable);
        System.out.println("follow: the agent applied an epoch " + epoch + " bundle " + followedMs + " ms after the new primary answered");
        assertThat(followedMs).as("ms from the new primary answering to the agent applying its bundle").isLessThan(2_000);
        assertThat(cluster.secondary().role()).isEqualTo(Role.PRIMARY);
    }
}
