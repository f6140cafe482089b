package io.tiyi.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
    @TempDir
    Path dir;

    @Test
    void everyMigrationFileIsListedInOrder() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted(
                    java.util.Comparator.comparingInt(Migrations::version)).toList())
                    .containsExactlyElementsOf(Migrations.FILES);
        }
    }

    @Test
    void migrateIsIdempotent() {
        try (StateStore s = StateStore.open(dir)) {
            assertThat(s.migrate()).isEqualTo(Migrations.latest());
            assertThat(s.migrate()).isEqualTo(Migrations.latest());
        }
    }

    @Test
    void refusesDatabaseFromNewerTiyi() {
        try (StateStore s = StateStore.open(dir)) {
            s.migrate();
        }
        try (StateStore s = StateStore.open(dir)) {
            s.writeTx(db -> db.execute("INSERT INTO schema_migrations VALUES (999, 'V999__x.sql', 'x', 0)"));
            assertThatThrownBy(s::migrate).hasMessageContaining("schema version 999").hasMessageContaining("knows up to");
        }
    }

    @Test
    void splitsStatementsIgnoringComments() {
        assertThat(Migrations.statements("-- c\nCREATE TABLE a (x INT);\n\nCREATE INDEX i\n  ON a (x);\n"))
                .containsExactly("CREATE TABLE a (x INT);", "CREATE INDEX i\n  ON a (x);");
    }
}
