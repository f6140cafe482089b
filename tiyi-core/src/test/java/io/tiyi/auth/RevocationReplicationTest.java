package io.tiyi.auth;

import static io.tiyi.store.generated.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.NodeInternals;
import io.tiyi.TiyiCluster;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A session ended on the primary is ended on the secondary as soon as the secondary has applied
 * the mutation that ended it: the session generation travels in the mutation log.
 */
class RevocationReplicationTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(0).withSecondary().withJwtSecret("revocation-replication-secret-0123456789");

    private static void awaitReplicated(TiyiCluster cluster) {
        long target = cluster.primary().status().lastSeq();
        Await.until(Duration.ofSeconds(30), () -> "the secondary to apply seq " + target + " (at " + cluster.secondary().status().lastSeq() + ")",
                () -> cluster.secondary().status().lastSeq() >= target);
    }

    private static String uid(io.tiyi.TiyiNode node, String name) {
        return NodeInternals.store(node).read(db -> db.select(USERS.UID).from(USERS).where(USERS.NAME.eq(name)).fetchOne(USERS.UID));
    }

    @Test
    void aPasswordSetOnThePrimaryEndsTheSessionOnTheSecondary() {
        TiyiCluster cluster = clusters.cluster();
        cluster.client().raw("UsersService", "Create", Map.of("name", "kim", "role", "operator", "password", "kim-password-12345"));
        JsonNode g = TiyiClient.of(cluster.primary().adminUrl(), null).raw("AuthService", "Login",
                Map.of("user", "kim", "password", "kim-password-12345"));
        awaitReplicated(cluster);
        assertThat(uid(cluster.secondary(), "kim")).as("the uid travels in the Create mutation").isEqualTo(uid(cluster.primary(), "kim"));
        TiyiClient onSecondary = TiyiClient.of(cluster.secondary().adminUrl(), g.get("access_token").asText());
        assertThat(onSecondary.raw("AuthService", "WhoAmI", Map.of()).get("user").asText()).isEqualTo("kim");

        cluster.client().raw("UsersService", "SetPassword", Map.of("name", "kim", "password", "kim-new-password-1"));
        awaitReplicated(cluster);

        assertThatThrownBy(() -> onSecondary.raw("AuthService", "WhoAmI", Map.of()))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("session ended");
                });
    }
}
