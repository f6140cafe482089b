package io.tiyi.auth;

import static io.tiyi.store.generated.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.store.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users that exist when a node is upgraded get a uid and a session generation, and two nodes
 * that upgrade their own copies of the same state give every user the same uid (else a primary's
 * tokens would be refused by its secondary).
 */
class SessionsMigrationTest {
    @TempDir
    Path dir;

    @Test
    void existingUsersGetTheSameUidOnEveryNode() throws Exception {
        Path primary = Files.createDirectories(dir.resolve("primary"));
        Path secondary = Files.createDirectories(dir.resolve("secondary"));
        Flyway.configure().dataSource("jdbc:sqlite:" + primary.resolve(StateStore.DB_FILE), null, null).locations("classpath:db/migration")
                .table("flyway_schema_history").target("8").load().migrate();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + primary.resolve(StateStore.DB_FILE)); Statement st = c.createStatement()) {
            st.execute("INSERT INTO users (id, name, role, password_hash, must_change_password, disabled, created_at, updated_at) VALUES "
                    + "(1, 'admin', 'admin', 'x', 0, 0, 1700000000000, 1700000000000), "
                    + "(2, 'ops', 'operator', 'x', 0, 0, 1700000000001, 1700000000001)");
        }
        Files.copy(primary.resolve(StateStore.DB_FILE), secondary.resolve(StateStore.DB_FILE));

        List<String> a = upgradedUids(primary);
        List<String> b = upgradedUids(secondary);

        assertThat(a).containsExactly("legacy-1-1700000000000", "legacy-2-1700000000001");
        assertThat(b).isEqualTo(a);
        try (StateStore s = StateStore.open(primary)) {
            List<Long> gens = s.read(db -> db.select(USERS.SESSION_GEN).from(USERS).fetch(USERS.SESSION_GEN));
            assertThat(gens).containsExactly(0L, 0L);
        }
    }

    @Test
    void aCreateLoggedBeforeUidsGetsTheMigrationsValueWhenReplayed() throws Exception {
        // The payload as a Tiyi before uids logged it; a secondary that was behind replays it after its upgrade.
        UserMutations.Create old = io.tiyi.internal.Json.read(
                "{\"name\":\"late\",\"role\":\"viewer\",\"password_hash\":\"x\",\"must_change_password\":false}", UserMutations.Create.class);
        RefreshTokenMutations.RevokeFamily oldRevoke = io.tiyi.internal.Json.read(
                "{\"family_id\":\"f\",\"user\":\"late\",\"reason\":\"refresh token reused\"}", RefreshTokenMutations.RevokeFamily.class);
        assertThat(old.uid()).isNull();
        assertThat(oldRevoke.endAllSessions()).as("an old entry replays as it applied then").isFalse();
        try (StateStore s = StateStore.open(dir)) {
            s.migrate();
            long id = s.writeLocal(db -> old.apply(new io.tiyi.store.MutationContext(db, 1, 1, 1700000000123L, "test")));
            String uid = s.read(db -> db.select(USERS.UID).from(USERS).where(USERS.NAME.eq("late")).fetchOne(USERS.UID));
            assertThat(uid).isEqualTo("legacy-" + id + "-1700000000123");
        }
    }

    private static List<String> upgradedUids(Path stateDir) {
        try (StateStore s = StateStore.open(stateDir)) {
            s.migrate();
            return s.read(db -> db.select(USERS.UID).from(USERS).orderBy(USERS.ID).fetch(USERS.UID));
        }
    }
}
