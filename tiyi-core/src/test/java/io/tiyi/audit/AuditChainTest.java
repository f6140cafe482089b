package io.tiyi.audit;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.crypto.Kek;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.TestStores;
import io.tiyi.store.generated.tables.records.AuditLogRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditChainTest {
    @TempDir
    Path dir;

    StateStore store;

    @BeforeEach
    void fill() {
        store = TestStores.primary(dir);
        try (MutationPipeline p = TestStores.pipeline(store)) {
            for (int i = 1; i <= 8; i++) {
                p.recordAudit("user:t", new AuditRecord("test.action", "thing:" + i, Map.of("n", i)));
            }
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void sql(String s) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + store.dbFile());
                java.sql.Statement st = c.createStatement()) {
            st.execute(s);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private AuditChain.Verification verify() {
        return AuditChain.verify(store, TestStores.KEK);
    }

    private List<AuditLogRecord> rows() {
        return store.read(db -> db.selectFrom(AUDIT_LOG).orderBy(AUDIT_LOG.ID).fetch());
    }

    /** What someone with write access to state.db but no KEK can do: recompute every hash from {@code from} on, unkeyed. */
    private void rehashUnkeyedFrom(long from) {
        String prev = from == 1 ? AuditChain.GENESIS : rows().get((int) from - 2).getHash();
        for (AuditLogRecord r : rows()) {
            if (r.getId() < from) {
                continue;
            }
            String h = AuditChain.hash(r.getId(), r.getTs(), r.getActor(), r.getAction(), r.getTarget(), r.getDetails(), r.getMutationSeq(),
                    prev);
            sql("UPDATE audit_log SET prev_hash = '" + prev + "', hash = '" + h + "' WHERE id = " + r.getId());
            prev = h;
        }
    }

    /** A state.db as a build before keyed chains left it: version 1, unkeyed hashes. */
    private void makeUnkeyed() {
        rehashUnkeyedFrom(1);
        sql("UPDATE audit_chain SET version = 1, keyed_at = NULL");
    }

    @Test
    void intactChainVerifiesUnderTheKek() {
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isTrue();
        assertThat(v.entries()).isEqualTo(8);
        assertThat(v.version()).isEqualTo(AuditChain.KEYED);
        assertThat(v.keyed()).isTrue();
        assertThat(v.mutations()).isEqualTo(8);
        AuditLogRecord last = rows().get(7);
        assertThat(v.headHash()).isEqualTo(last.getHash()).matches("[0-9a-f]{64}");
        assertThat(last.getHash()).as("keyed, not plain SHA-256").isNotEqualTo(AuditChain.hash(last.getId(), last.getTs(), last.getActor(),
                last.getAction(), last.getTarget(), last.getDetails(), last.getMutationSeq(), last.getPrevHash()));
    }

    @Test
    void editedEntryIsNamed() {
        sql("UPDATE audit_log SET actor = 'mallory' WHERE id = 2");
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(2);
        assertThat(v.entries()).isEqualTo(1);
        assertThat(v.problem()).contains("entry 2 was altered");
    }

    @Test
    void rewriteAndRehashWithoutTheKekIsNamed() {
        sql("UPDATE audit_log SET details = '{\"n\":9}' WHERE id = 3");
        rehashUnkeyedFrom(3);
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(3);
        assertThat(v.entries()).isEqualTo(2);
        assertThat(v.problem()).contains("entry 3 was altered");
    }

    @Test
    void anotherKekDoesNotVerifyTheChain() {
        byte[] other = new byte[Kek.LENGTH];
        other[0] = 1;
        AuditChain.Verification v = AuditChain.verify(store, Kek.of(other));
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(1);
    }

    @Test
    void withoutAKekOnlyLinksAndTheMutationLogAreChecked() {
        sql("UPDATE audit_log SET details = '{\"n\":9}' WHERE id = 3");
        rehashUnkeyedFrom(3);
        AuditChain.Verification v = AuditChain.verify(store, Optional.empty());
        assertThat(v.keyed()).isFalse();
        assertThat(v.ok()).as("a rewrite that keeps the links is found only under the KEK").isTrue();
    }

    @Test
    void anEntryThatNoLongerMatchesItsMutationIsNamedEvenWhenRehashedUnderTheKek() {
        sql("UPDATE audit_log SET actor = 'mallory' WHERE id = 5");
        makeUnkeyed();
        // Re-keying a chain that verifies as version 1 is what a node does at start: it now verifies under the KEK.
        AuditChain.open(store, TestStores.KEK);
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(5);
        assertThat(v.problem()).contains("entry 5 does not match mutation seq 5").contains("mallory");
    }

    @Test
    void deletedEntryIsNamed() {
        sql("DELETE FROM audit_log WHERE id = 4");
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(4);
        assertThat(v.problem()).contains("entry 4 is missing");
    }

    @Test
    void reorderedEntriesAreDetected() {
        sql("UPDATE audit_log SET id = -2 WHERE id = 2");
        sql("UPDATE audit_log SET id = 2 WHERE id = 3");
        sql("UPDATE audit_log SET id = 3 WHERE id = -2");
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(2);
    }

    @Test
    void deletingTheNewestFiveEntriesIsNamedByTheMutationLog() {
        sql("DELETE FROM audit_log WHERE id > 3");
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(4);
        assertThat(v.entries()).isEqualTo(3);
        assertThat(v.problem()).contains("entry 4 is missing: mutation seq 4 has no audit entry");
    }

    @Test
    void deletingTheNewestEntriesOfBothLogsLeavesAShorterChainOnlyAWitnessCatches() {
        sql("DELETE FROM audit_log WHERE id > 3");
        sql("DELETE FROM mutation_log WHERE seq > 3");
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isTrue();
        assertThat(v.entries()).isEqualTo(3);
    }

    @Test
    void anEntryForAMutationThatIsNotLoggedIsNamed() {
        sql("DELETE FROM mutation_log WHERE seq = 6");
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(6);
        assertThat(v.problem()).contains("entry 6 names mutation seq 6, which is not in mutation_log");
    }

    @Test
    void anUnkeyedChainIsVerifiedThenRekeyedOnce() {
        makeUnkeyed();
        List<AuditLogRecord> before = rows();
        assertThat(AuditChain.verify(store, TestStores.KEK).version()).isEqualTo(1);
        assertThat(AuditChain.verify(store, TestStores.KEK).ok()).isTrue();

        AuditChain.open(store, TestStores.KEK);
        List<AuditLogRecord> after = rows();
        AuditChain.Verification v = verify();
        assertThat(v.ok()).isTrue();
        assertThat(v.version()).isEqualTo(AuditChain.KEYED);
        assertThat(v.entries()).isEqualTo(8);
        assertThat(after).extracting(AuditLogRecord::getDetails).isEqualTo(before.stream().map(AuditLogRecord::getDetails).toList());
        assertThat(after.get(7).getHash()).isNotEqualTo(before.get(7).getHash());

        AuditChain.open(store, TestStores.KEK);
        assertThat(rows()).extracting(AuditLogRecord::getHash).as("re-keyed once only")
                .isEqualTo(after.stream().map(AuditLogRecord::getHash).toList());
    }

    @Test
    void aTamperedUnkeyedChainIsKeptAsItIsAndStillNamed() {
        makeUnkeyed();
        sql("UPDATE audit_log SET actor = 'mallory' WHERE id = 2");
        List<AuditLogRecord> before = rows();
        AuditChain chain = AuditChain.open(store, TestStores.KEK);
        assertThat(rows()).extracting(AuditLogRecord::getHash).isEqualTo(before.stream().map(AuditLogRecord::getHash).toList());
        AuditChain.Verification v = verify();
        assertThat(v.version()).isEqualTo(1);
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(2);
        // The node keeps working and loses nothing: later entries are appended, unkeyed, after the evidence.
        try (MutationPipeline p = new MutationPipeline(store, chain, new io.tiyi.cluster.ClusterStates(store))) {
            p.recordAudit("user:t", new AuditRecord("test.action", "thing:9", Map.of()));
        }
        assertThat(rows()).hasSize(9);
        assertThat(verify().firstBadId()).isEqualTo(2);
    }
}
