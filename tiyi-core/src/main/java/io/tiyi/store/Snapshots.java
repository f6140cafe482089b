package io.tiyi.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * Consistent copies of a live state.db, and what they hold: the one way backups, the backup stream
 * and replication seeding take a snapshot.
 */
public final class Snapshots {
    private Snapshots() {}

    /**
     * Copies {@code dbFile} to {@code target} with {@code VACUUM INTO} on a read-only connection:
     * one read transaction, so the copy is consistent while the writer goes on committing. SQLite
     * does not flush the copy to disk; the caller does.
     */
    public static void vacuumInto(Path dbFile, Path target) throws SQLException {
        try (Connection c = readOnly(dbFile); Statement s = c.createStatement()) {
            s.execute("VACUUM INTO '" + target.toString().replace("'", "''") + "'");
        }
    }

    /** The newest {@code mutation_log} entry of the database {@code dbFile}, or empty for an empty log. */
    public static Optional<LogEntry> lastEntry(Path dbFile) throws SQLException {
        try (Connection c = readOnly(dbFile); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, epoch, ts, actor, kind, payload FROM mutation_log ORDER BY seq DESC LIMIT 1")) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new LogEntry(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6)));
        }
    }

    private static Connection readOnly(Path dbFile) throws SQLException {
        SQLiteConfig sc = new SQLiteConfig();
        sc.setReadOnly(true);
        sc.setBusyTimeout(10_000);
        return sc.createConnection("jdbc:sqlite:" + dbFile);
    }
}
