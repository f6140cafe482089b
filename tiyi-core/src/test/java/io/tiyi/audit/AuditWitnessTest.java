package io.tiyi.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.NodeInternals;
import io.tiyi.TiyiCluster;
import io.tiyi.bundle.Checkpoint;
import io.tiyi.bundle.SignedCheckpoint;
import io.tiyi.client.rpc.AuditService;
import io.tiyi.store.StateStore;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A primary and an agent in one JVM: the agent keeps the newest signed checkpoint of the audit
 * chain and reports it, and {@code VerifyChain} names the first bad entry after each kind of
 * tampering with the primary's state.db.
 */
class AuditWitnessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(1);

    TiyiCluster cluster;
    StateStore state;
    long entries;

    @BeforeEach
    void start() throws Exception {
        cluster = clusters.cluster();
        state = NodeInternals.store(cluster.primary());
        for (int i = 0; i < 6; i++) {
            cluster.client().raw("SitesService", "Create", Map.of("name", "site" + i, "hosts", List.of("s" + i + ".test"),
                    "upstreams", List.of("http://127.0.0.1:9")));
        }
        assertThat(cluster.awaitConvergence(WAIT)).isTrue();
        entries = state.read(db -> db.fetchCount(io.tiyi.store.generated.Tables.AUDIT_LOG));
        // The agent holds a checkpoint of the whole chain once the last bundle reached it; the primary hears of it in a report.
        Await.until(WAIT, "the agent to hold a checkpoint of " + entries + " entries", () -> held().map(Checkpoint::count).orElse(0L) == entries);
        Await.until(WAIT, "the primary to hear of the agent's checkpoint", () -> verify(true).get("ok").asBoolean());
    }

    private Optional<Checkpoint> held() {
        Optional<SignedCheckpoint> c = cluster.agent(0).agent().orElseThrow().heldCheckpoint();
        return c.flatMap(s -> s.open(s.signingKey()));
    }

    private JsonNode verify(boolean witness) {
        return cluster.client().call(AuditService.VERIFY_CHAIN, new AuditService.VerifyRequest(witness));
    }

    private void sql(String s) {
        state.writeLocal(db -> db.execute(s));
    }

    @Test
    void anIntactChainAgreesWithTheAgentsCheckpoint() {
        JsonNode v = verify(true);
        assertThat(v.get("entries").asLong()).isEqualTo(entries);
        assertThat(v.get("version").asInt()).isEqualTo(AuditChain.KEYED);
        assertThat(v.at("/witness/agents").asInt()).as("the agent, and the one embedded in the primary").isEqualTo(2);
        assertThat(v.at("/witness/checkpoint/count").asLong()).isEqualTo(entries);
        assertThat(v.at("/witness/checkpoint/head_hash").asText()).isEqualTo(v.get("head_hash").asText());
        assertThat(v.at("/witness/agent_id").asText()).startsWith("ag-");
    }

    @Test
    void rewritingAnEntryAndRecomputingTheHashesWithoutTheKekIsNamed() {
        sql("UPDATE audit_log SET details = '{\"forged\":true}' WHERE id = 3");
        String prev = state.read(db -> db.select(io.tiyi.store.generated.Tables.AUDIT_LOG.HASH).from(io.tiyi.store.generated.Tables.AUDIT_LOG).where(io.tiyi.store.generated.Tables.AUDIT_LOG.ID.eq(2L)).fetchOne(io.tiyi.store.generated.Tables.AUDIT_LOG.HASH));
        for (long id = 3; id <= entries; id++) {
            long row = id;
            var r = state.read(db -> db.selectFrom(io.tiyi.store.generated.Tables.AUDIT_LOG)
                    .where(io.tiyi.store.generated.Tables.AUDIT_LOG.ID.eq(row)).fetchOne());
            String h = AuditChain.hash(r.getId(), r.getTs(), r.getActor(), r.getAction(), r.getTarget(), r.getDetails(), r.getMutationSeq(), prev);
            sql("UPDATE audit_log SET prev_hash = '" + prev + "', hash = '" + h + "' WHERE id = " + id);
            prev = h;
        }
        JsonNode v = verify(false);
        assertThat(v.get("ok").asBoolean()).isFalse();
        assertThat(v.get("first_bad_id").asLong()).isEqualTo(3);
        assertThat(v.get("problem").asText()).contains("entry 3 was altered");
    }

    @Test
    void deletingTheNewestFiveEntriesIsNamedByTheMutationLog() {
        sql("DELETE FROM audit_log WHERE id > " + (entries - 5));
        JsonNode v = verify(false);
        assertThat(v.get("ok").asBoolean()).isFalse();
        assertThat(v.get("first_bad_id").asLong()).isEqualTo(entries - 4);
        assertThat(v.get("problem").asText()).contains("entry " + (entries - 4) + " is missing");
    }

    @Test
    void deletingTheNewestEntriesOfBothLogsIsNamedByTheWitness() {
        sql("DELETE FROM audit_log WHERE id > " + (entries - 5));
        sql("DELETE FROM mutation_log WHERE seq > " + (entries - 5));
        assertThat(verify(false).get("ok").asBoolean()).as("the shorter chain is consistent on its own").isTrue();
        JsonNode v = verify(true);
        assertThat(v.get("ok").asBoolean()).isFalse();
        assertThat(v.get("first_bad_id").asLong()).isEqualTo(entries - 4);
        assertThat(v.get("problem").asText()).contains("entry " + (entries - 4) + " is missing").contains("holds a checkpoint")
                .contains("of " + entries + " entries");
    }
}
