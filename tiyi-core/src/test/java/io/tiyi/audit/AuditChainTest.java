package io.tiyi.audit;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.store.AuditRecord;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.TestStores;
import io.tiyi.store.generated.tables.records.AuditLogRecord;
import java.nio.file.Path;
import java.util.Map;
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
            for (int i = 1; i <= 5; i++) {
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

    @Test
    void intactChainVerifies() {
        AuditChain.Verification v = AuditChain.verify(store);
        assertThat(v.ok()).isTrue();
        assertThat(v.entries()).isEqualTo(5);
        AuditLogRecord last = store.read(db -> db.selectFrom(AUDIT_LOG).orderBy(AUDIT_LOG.ID.desc()).limit(1).fetchOne());
        assertThat(v.headHash()).isEqualTo(last.getHash()).matches("[0-9a-f]{64}");
    }

    @Test
    void editedEntryIsNamed() {
        sql("UPDATE audit_log SET actor = 'mallory' WHERE id = 2");
        AuditChain.Verification v = AuditChain.verify(store);
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(2);
        assertThat(v.entries()).isEqualTo(1);
        assertThat(v.problem()).contains("entry 2 was altered");
    }

    @Test
    void editedDetailsWithRecomputedHashBreaksTheNextLink() {
        sql("UPDATE audit_log SET details = '{\"n\":9}' WHERE id = 3");
        AuditLogRecord r = store.read(db -> db.selectFrom(AUDIT_LOG).where(AUDIT_LOG.ID.eq(3L)).fetchOne());
        String forged = AuditChain.hash(r.getId(), r.getTs(), r.getActor(), r.getAction(), r.getTarget(), r.getDetails(), r.getMutationSeq(),
                r.getPrevHash());
        sql("UPDATE audit_log SET hash = '" + forged + "' WHERE id = 3");
        AuditChain.Verification v = AuditChain.verify(store);
        assertThat(v.firstBadId()).isEqualTo(4);
        assertThat(v.problem()).contains("does not link");
    }

    @Test
    void deletedEntryIsNamed() {
        sql("DELETE FROM audit_log WHERE id = 4");
        AuditChain.Verification v = AuditChain.verify(store);
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(4);
        assertThat(v.problem()).contains("entry 4 is missing");
    }

    @Test
    void reorderedEntriesAreDetected() {
        sql("UPDATE audit_log SET id = -2 WHERE id = 2");
        sql("UPDATE audit_log SET id = 2 WHERE id = 3");
        sql("UPDATE audit_log SET id = 3 WHERE id = -2");
        AuditChain.Verification v = AuditChain.verify(store);
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadId()).isEqualTo(2);
    }

    @Test
    void deletingTheNewestEntryLeavesAValidShorterChain() {
        // Truncation at the head is what signed checkpoints exist for; the chain alone shows the count.
        sql("DELETE FROM audit_log WHERE id = 5");
        assertThat(AuditChain.verify(store).entries()).isEqualTo(4);
    }
}
