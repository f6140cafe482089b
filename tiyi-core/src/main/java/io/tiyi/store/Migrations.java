package io.tiyi.store;

import io.tiyi.TiyiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings {@code state.db} to this build's schema with Flyway, from the versioned SQL files under
 * {@code db/migration} (the same files feed jOOQ's code generator, so the Java model and the
 * schema cannot drift).
 *
 * <p>Tiyi before Flyway kept its own record in {@code schema_migrations} (version, file name and
 * the SHA-256 of the file). A database that has that record and no Flyway history is adopted:
 * its recorded files are checked against this build's, then Flyway is baselined at its highest
 * version, so nothing already applied runs again.
 *
 * <p>Each migration Flyway applies is also written to {@code schema_migrations}, as the old runner
 * wrote it. Nodes copy {@code state.db} whole (seeding a secondary, restoring a backup), so a
 * database made here can reach a Tiyi from before Flyway, which reads only that table: it then
 * opens a database at its own version and refuses a newer one, instead of failing on the first
 * {@code CREATE TABLE} or running on a schema it does not know.
 */
final class Migrations {
    static final String LOCATION = "classpath:db/migration";
    static final String HISTORY_TABLE = "flyway_schema_history";
    static final String LEGACY_TABLE = "schema_migrations";
    private static final String LEGACY_DDL = "CREATE TABLE IF NOT EXISTS " + LEGACY_TABLE
            + " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)";

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {}

    /** Returns the schema version after applying what was missing. */
    static int apply(DataSource ds, String dbName) {
        try {
            Flyway flyway = configure(ds).load();
            MigrationInfoService info = flyway.info();
            MigrationVersion latest = latestKnown(info);
            MigrationInfo current = info.current();
            if (current != null && current.getVersion() != null && current.getVersion().compareTo(latest) > 0) {
                throw newer(dbName, current.getVersion().getVersion(), latest);
            }
            if (current == null) {
                adoptLegacy(ds, dbName, latest);
            }
            flyway.migrate();
            MigrationInfo now = flyway.info().current();
            return now == null ? 0 : Integer.parseInt(now.getVersion().getVersion());
        } catch (FlywayException e) {
            throw new TiyiException("cannot migrate " + dbName + ": " + e.getMessage(), e);
        }
    }

    private static FluentConfiguration configure(DataSource ds) {
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(ds)
                .locations(LOCATION)
                .table(HISTORY_TABLE)
                .failOnMissingLocations(true)
                .validateMigrationNaming(true)
                .cleanDisabled(true)
                .callbacks(new LegacyRecord());
    }

    /** The highest version among this build's migration files. */
    private static MigrationVersion latestKnown(MigrationInfoService info) {
        MigrationVersion max = MigrationVersion.EMPTY;
        for (MigrationInfo m : info.all()) {
            if (m.getState().isResolved() && m.getVersion() != null && m.getVersion().compareTo(max) > 0) {
                max = m.getVersion();
            }
        }
        return max;
    }

    private static TiyiException newer(String dbName, String version, MigrationVersion latest) {
        return new TiyiException(dbName + " has schema version " + version + " but this Tiyi knows up to " + latest.getVersion()
                + "; run the newer Tiyi that wrote it, or restore a backup");
    }

    /**
     * Baselines a database migrated by the runner before Flyway at the highest version it
     * recorded, after checking that every recorded file is the one this build ships.
     */
    private static void adoptLegacy(DataSource ds, String dbName, MigrationVersion latest) {
        TreeMap<Integer, String[]> recorded = new TreeMap<>();
        try (Connection c = ds.getConnection()) {
            if (!hasTable(c, LEGACY_TABLE)) {
                return;
            }
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT version, name, checksum FROM " + LEGACY_TABLE)) {
                while (rs.next()) {
                    recorded.put(rs.getInt(1), new String[] {rs.getString(2), rs.getString(3)});
                }
            }
            if (recorded.isEmpty()) {
                // The old runner created the table and then failed its first migration: nothing else is there.
                try (Statement st = c.createStatement()) {
                    st.execute("DROP TABLE " + LEGACY_TABLE);
                }
                return;
            }
        } catch (SQLException e) {
            throw new TiyiException("cannot migrate " + dbName + ": " + e.getMessage(), e);
        }
        int max = recorded.lastKey();
        if (MigrationVersion.fromVersion(Integer.toString(max)).compareTo(latest) > 0) {
            throw newer(dbName, Integer.toString(max), latest);
        }
        for (Map.Entry<Integer, String[]> e : recorded.entrySet()) {
            String file = e.getValue()[0];
            String sql = read(file);
            if (sql == null || !io.tiyi.crypto.RandomTokens.sha256Hex(sql).equals(e.getValue()[1])) {
                throw new TiyiException(dbName + ": migration " + file + " differs from the one applied to this database");
            }
        }
        LOG.info("state: {} was migrated by a Tiyi before Flyway; recording its schema version {} in {}", dbName, max, HISTORY_TABLE);
        configure(ds)
                .baselineVersion(Integer.toString(max))
                .baselineDescription("adopted from " + LEGACY_TABLE)
                .load()
                .baseline();
    }

    /** Records each applied migration in {@code schema_migrations} too, in the same transaction. */
    private static final class LegacyRecord implements Callback {
        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.AFTER_EACH_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            MigrationInfo m = context.getMigrationInfo();
            if (m == null || m.getVersion() == null) {
                return;
            }
            Connection c = context.getConnection();
            try {
                try (Statement st = c.createStatement()) {
                    // Created with the first migration rather than before: Flyway only migrates an empty schema.
                    st.execute(LEGACY_DDL);
                }
                String sql = read(m.getScript());
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT OR REPLACE INTO " + LEGACY_TABLE + " (version, name, checksum, applied_at) VALUES (?,?,?,?)")) {
                    ps.setInt(1, Integer.parseInt(m.getVersion().getVersion()));
                    ps.setString(2, m.getScript());
                    ps.setString(3, sql == null ? "" : io.tiyi.crypto.RandomTokens.sha256Hex(sql));
                    ps.setLong(4, System.currentTimeMillis());
                    ps.executeUpdate();
                }
            } catch (SQLException e) {
                throw new FlywayException("cannot record " + m.getScript() + " in " + LEGACY_TABLE + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String getCallbackName() {
            return "tiyi-" + LEGACY_TABLE;
        }
    }

    private static boolean hasTable(Connection c, String name) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTables(null, null, name, new String[] {"TABLE"})) {
            return rs.next();
        }
    }

    /** A migration file's text, or null when this build has no file of that name. */
    static String read(String file) {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + file)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
