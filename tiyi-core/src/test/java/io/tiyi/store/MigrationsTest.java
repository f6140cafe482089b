package io.tiyi.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.crypto.RandomTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
    private static final Path FILES = Path.of("src/main/resources/db/migration");

    @TempDir
    Path dir;

    @Test
    void newDatabaseGetsEveryFileOnceAndMigrateIsIdempotent() throws Exception {
        int latest = latestFile();
        try (StateStore s = StateStore.open(dir)) {
            assertThat(s.migrate()).isEqualTo(latest);
            assertThat(s.migrate()).isEqualTo(latest);
        }
        try (StateStore s = StateStore.open(dir)) {
            assertThat(s.migrate()).isEqualTo(latest);
        }
        assertThat(query("SELECT count(*) FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL"))
                .containsExactly(String.valueOf(latest));
        // What a Tiyi from before Flyway reads when this file is copied to it.
        List<String> recorded = new ArrayList<>();
        for (Path f : files()) {
            recorded.add(version(f) + ":" + f.getFileName() + ":" + RandomTokens.sha256Hex(Files.readString(f, StandardCharsets.UTF_8)));
        }
        assertThat(query("SELECT version || ':' || name || ':' || checksum FROM schema_migrations ORDER BY version"))
                .isEqualTo(recorded);
    }

    @Test
    void adoptsDatabaseOfThePreFlywayRunnerWithoutReapplyingAnything() throws Exception {
        int latest = latestFile();
        migrateTheOldWay(latest);
        List<String> tablesBefore = query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");

        try (StateStore s = StateStore.open(dir)) {
            assertThat(s.migrate()).isEqualTo(latest);
        }
        try (StateStore s = StateStore.open(dir)) {
            assertThat(s.migrate()).isEqualTo(latest);
        }

        assertThat(query("SELECT type || ':' || version FROM flyway_schema_history ORDER BY installed_rank"))
                .containsExactly("BASELINE:" + latest);
        List<String> tablesAfter = query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        tablesAfter.remove("flyway_schema_history");
        assertThat(tablesAfter).isEqualTo(tablesBefore);
        assertThat(query("SELECT count(*) FROM schema_migrations")).containsExactly(String.valueOf(latest));
    }

    @Test
    void adoptedDatabaseGetsOnlyTheFilesAfterItsRecordedVersion() throws Exception {
        int latest = latestFile();
        migrateTheOldWay(latest - 1);
        try (StateStore s = StateStore.open(dir)) {
            assertThat(s.migrate()).isEqualTo(latest);
        }
        assertThat(query("SELECT type || ':' || version FROM flyway_schema_history ORDER BY installed_rank"))
                .containsExactly("BASELINE:" + (latest - 1), "SQL:" + latest);
        // A Tiyi from before Flyway reads only schema_migrations: it must see the new version to refuse the database.
        Path last = files().get(files().size() - 1);
        assertThat(query("SELECT version || ':' || name || ':' || checksum FROM schema_migrations WHERE version = " + latest))
                .containsExactly(latest + ":" + last.getFileName() + ":" + RandomTokens.sha256Hex(Files.readString(last, StandardCharsets.UTF_8)));
    }

    @Test
    void refusesPreFlywayDatabaseWhoseAppliedFileDiffers() throws Exception {
        migrateTheOldWay(latestFile());
        exec("UPDATE schema_migrations SET checksum = 'x' WHERE version = 2");
        try (StateStore s = StateStore.open(dir)) {
            assertThatThrownBy(s::migrate).hasMessageContaining("migration V2__").hasMessageContaining("differs from the one applied");
        }
        assertThat(query("SELECT count(*) FROM sqlite_master WHERE name = 'flyway_schema_history'")).containsExactly("0");
    }

    @Test
    void refusesPreFlywayDatabaseFromNewerTiyi() throws Exception {
        migrateTheOldWay(latestFile());
        exec("INSERT INTO schema_migrations VALUES (999, 'V999__x.sql', 'x', 0)");
        try (StateStore s = StateStore.open(dir)) {
            assertThatThrownBy(s::migrate).hasMessageContaining("schema version 999").hasMessageContaining("knows up to " + latestFile());
        }
        assertThat(query("SELECT count(*) FROM sqlite_master WHERE name = 'flyway_schema_history'")).containsExactly("0");
    }

    @Test
    void refusesDatabaseFromNewerTiyi() throws Exception {
        try (StateStore s = StateStore.open(dir)) {
            s.migrate();
        }
        exec("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by,"
                + " execution_time, success) VALUES (999, '999', 'x', 'SQL', 'V999__x.sql', 0, 'tiyi', 0, 1)");
        try (StateStore s = StateStore.open(dir)) {
            assertThatThrownBy(s::migrate).hasMessageContaining("schema version 999").hasMessageContaining("knows up to " + latestFile());
        }
    }

    @Test
    void refusesDatabaseWhoseAppliedFileDiffers() throws Exception {
        try (StateStore s = StateStore.open(dir)) {
            s.migrate();
        }
        exec("UPDATE flyway_schema_history SET checksum = 1 WHERE version = '2'");
        try (StateStore s = StateStore.open(dir)) {
            assertThatThrownBy(s::migrate).hasMessageContaining("checksum mismatch").hasMessageContaining("2");
        }
    }

    private static List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(FILES)) {
            return files.sorted(Comparator.comparingInt(MigrationsTest::version)).toList();
        }
    }

    private static int version(Path file) {
        String name = file.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }

    private static int latestFile() throws IOException {
        List<Path> files = files();
        return version(files.get(files.size() - 1));
    }

    /** What the runner before Flyway did: each file in a transaction, recorded with its SHA-256. */
    private void migrateTheOldWay(int upTo) throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA foreign_keys=ON");
            st.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    + "checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)");
            for (Path f : files()) {
                if (version(f) > upTo) {
                    break;
                }
                String sql = Files.readString(f, StandardCharsets.UTF_8);
                c.setAutoCommit(false);
                for (String stmt : statements(sql)) {
                    st.execute(stmt);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_migrations VALUES (?,?,?,?)")) {
                    ps.setInt(1, version(f));
                    ps.setString(2, f.getFileName().toString());
                    ps.setString(3, RandomTokens.sha256Hex(sql));
                    ps.setLong(4, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                c.commit();
                c.setAutoCommit(true);
            }
        }
    }

    /** The old runner's splitter: comment lines dropped, a statement ends with ';' at a line end. */
    private static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : sql.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("--")) {
                continue;
            }
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().strip());
        }
        return out;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StateStore.DB_FILE));
    }

    private void exec(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private List<String> query(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
