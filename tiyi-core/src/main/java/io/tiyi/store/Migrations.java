package io.tiyi.store;

import io.tiyi.TiyiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned SQL files under {@code db/migration} in order, each in its own
 * transaction, recording version and checksum in {@code schema_migrations}. The same files feed
 * jOOQ's code generator at build time, so the Java model and the schema cannot drift.
 */
final class Migrations {
    /** Every migration, in order. A test checks this against the files. */
    static final List<String> FILES = List.of(
            "V1__foundation.sql",
            "V2__auth.sql",
            "V3__proxy.sql",
            "V4__waf.sql",
            "V5__agents.sql",
            "V6__trust_alerts.sql", "V7__releases.sql");

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {}

    /** The highest schema version this build knows. */
    static int latest() {
        return version(FILES.get(FILES.size() - 1));
    }

    static int version(String file) {
        return Integer.parseInt(file.substring(1, file.indexOf("__")));
    }

    /** Returns the schema version after applying what was missing. */
    static int apply(Connection c, String dbName) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    + "checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)");
        }
        Map<Integer, String> applied = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version, checksum FROM schema_migrations")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getString(2));
            }
        }
        int max = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        if (max > latest()) {
            throw new TiyiException(dbName + " has schema version " + max + " but this Tiyi knows up to " + latest()
                    + "; run the newer Tiyi that wrote it, or restore a backup");
        }
        for (String file : FILES) {
            int v = version(file);
            String sql = read(file);
            String sum = io.tiyi.crypto.RandomTokens.sha256Hex(sql);
            if (applied.containsKey(v)) {
                if (!applied.get(v).equals(sum)) {
                    throw new TiyiException(dbName + ": migration " + file + " differs from the one applied to this database");
                }
                continue;
            }
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String stmt : statements(sql)) {
                    st.execute(stmt);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO schema_migrations(version, name, checksum, applied_at) VALUES (?,?,?,?)")) {
                    ps.setInt(1, v);
                    ps.setString(2, file);
                    ps.setString(3, sum);
                    ps.setLong(4, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw new TiyiException(dbName + ": migration " + file + " failed: " + e.getMessage(), e);
            } finally {
                c.setAutoCommit(auto);
            }
            LOG.debug("applied migration {}", file);
            max = v;
        }
        return max;
    }

    static String read(String file) {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration " + file + " missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Splits a migration into statements: comment lines dropped, a statement ends with ';' at a line end. */
    static List<String> statements(String sql) {
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
}
