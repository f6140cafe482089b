package io.tiyi.store;

import static io.tiyi.store.generated.Tables.CLUSTER_STATE;
import static io.tiyi.store.generated.Tables.MUTATION_LOG;
import static io.tiyi.store.generated.Tables.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.TiyiException;
import io.tiyi.cluster.ClusterStates;
import io.tiyi.cluster.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MutationPipelineTest {
    @TempDir
    Path dir;

    StateStore store;
    MutationPipeline pipeline;
    ClusterStates states;

    /** A mutation that writes one settings row. */
    record Put(String name, String value) implements Mutation<String> {
        @Override
        public String kind() {
            return "test.put";
        }

        @Override
        public String apply(MutationContext ctx) {
            ctx.db().insertInto(SETTINGS).set(SETTINGS.NAME, name).set(SETTINGS.VALUE, value)
                    .set(SETTINGS.UPDATED_AT, ctx.ts()).set(SETTINGS.UPDATED_BY, ctx.actor()).execute();
            if (value.equals("boom")) {
                throw TiyiException.invalid("refused after writing");
            }
            return name;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("test.put", name, Map.of());
        }
    }

    @BeforeEach
    void open() {
        store = TestStores.primary(dir);
        states = new ClusterStates(store);
        pipeline = TestStores.pipeline(store, states);
    }

    @AfterEach
    void close() {
        pipeline.close();
        store.close();
    }

    private int settingsRows() {
        return store.read(db -> db.fetchCount(SETTINGS));
    }

    private int logRows() {
        return store.read(db -> db.fetchCount(MUTATION_LOG));
    }

    @Test
    void commitsMutationLogAndAuditInOrderWithGapFreeSeq() {
        List<CompletableFuture<Committed<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(pipeline.submit("user:t", new Put("k" + i, "v")));
        }
        List<Long> seqs = futures.stream().map(f -> f.join().seq()).toList();
        assertThat(seqs).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
        List<Long> logged = store.read(db -> db.select(MUTATION_LOG.SEQ).from(MUTATION_LOG).orderBy(MUTATION_LOG.SEQ)
                .fetch(MUTATION_LOG.SEQ));
        assertThat(logged).containsExactlyElementsOf(seqs);
        var row = store.read(db -> db.selectFrom(MUTATION_LOG).where(MUTATION_LOG.SEQ.eq(3L)).fetchOne());
        assertThat(row.getKind()).isEqualTo("test.put");
        assertThat(row.getEpoch()).isEqualTo(1L);
        assertThat(row.getActor()).isEqualTo("user:t");
        assertThat(row.getPayload()).isEqualTo("{\"name\":\"k2\",\"value\":\"v\"}");
        assertThat(io.tiyi.audit.AuditChain.verify(store, TestStores.KEK).entries()).isEqualTo(20);
    }

    @Test
    void failedMutationRollsBackAndTakesNoSeq() {
        pipeline.apply("t", new Put("a", "1"));
        assertThatThrownBy(() -> pipeline.apply("t", new Put("b", "boom"))).hasMessageContaining("refused after writing");
        assertThat(settingsRows()).isEqualTo(1);
        assertThat(pipeline.apply("t", new Put("c", "1")).seq()).isEqualTo(2);
    }

    @Test
    void mutationAtStaleExpectedEpochIsRefusedAndChangesNothing() {
        pipeline.apply("t", new Put("a", "1"));
        assertThatThrownBy(() -> MutationPipeline.await(pipeline.submit("t", new Put("b", "1"), 0)))
                .isInstanceOf(MutationRejectedException.class)
                .satisfies(e -> assertThat(((MutationRejectedException) e).reason()).isEqualTo(MutationRejectedException.Reason.STALE_EPOCH))
                .hasMessageContaining("epoch 0");
        assertThat(settingsRows()).isEqualTo(1);
        assertThat(logRows()).isEqualTo(1);
        assertThat(pipeline.lastSeq()).isEqualTo(1);
    }

    @Test
    void nodeWhosePersistedEpochMovedOnIsFenced() {
        pipeline.apply("t", new Put("a", "1"));
        // Another writer moves the persisted epoch on: this node was never granted it.
        new ClusterStates(store).setRoleAndEpoch(Role.PRIMARY, 2);
        assertThatThrownBy(() -> pipeline.apply("t", new Put("b", "1")))
                .isInstanceOf(MutationRejectedException.class)
                .hasMessageContaining("holds epoch 1 but state.db is at epoch 2");
        assertThat(settingsRows()).isEqualTo(1);
        assertThat(logRows()).isEqualTo(1);
        // This node's own promotion grants it.
        states.setRoleAndEpoch(Role.PRIMARY, 2);
        assertThat(pipeline.apply("t", new Put("b", "1")).epoch()).isEqualTo(2);
    }

    @Test
    void readOnlyNodeRefusesMutationsAndChangesNothing() {
        states.setReadOnly(true);
        assertThatThrownBy(() -> pipeline.apply("t", new Put("a", "1")))
                .isInstanceOf(MutationRejectedException.class)
                .satisfies(e -> assertThat(((MutationRejectedException) e).reason()).isEqualTo(MutationRejectedException.Reason.READ_ONLY));
        assertThat(settingsRows()).isZero();
        assertThat(logRows()).isZero();
    }

    @Test
    void nonPrimaryRefusesMutations() {
        states.setRoleAndEpoch(Role.SECONDARY, 1);
        assertThatThrownBy(() -> pipeline.apply("t", new Put("a", "1")))
                .isInstanceOf(MutationRejectedException.class)
                .satisfies(e -> assertThat(((MutationRejectedException) e).reason()).isEqualTo(MutationRejectedException.Reason.NOT_PRIMARY));
        assertThat(settingsRows()).isZero();
    }

    @Test
    void epochNeverGoesDown() {
        states.setRoleAndEpoch(Role.PRIMARY, 3);
        assertThatThrownBy(() -> states.setRoleAndEpoch(Role.PRIMARY, 2)).hasMessageContaining("may not go down");
        long epoch = store.read(db -> db.select(CLUSTER_STATE.EPOCH).from(CLUSTER_STATE).fetchOne(CLUSTER_STATE.EPOCH));
        assertThat(epoch).isEqualTo(3L);
    }

    @Test
    void seqContinuesAfterReopen() {
        pipeline.apply("t", new Put("a", "1"));
        pipeline.apply("t", new Put("b", "1"));
        pipeline.close();
        pipeline = TestStores.pipeline(store);
        assertThat(pipeline.apply("t", new Put("c", "1")).seq()).isEqualTo(3);
    }
}
