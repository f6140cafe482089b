package io.tiyi.store;

import static io.tiyi.store.generated.Tables.CLUSTER_STATE;

import io.tiyi.TiyiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The control plane's {@code state.db}: SQLite in WAL mode, foreign keys on, a busy timeout.
 *
 * <p>One connection writes and is handed out to one caller at a time (the mutation pipeline, or
 * node-local updates such as {@code cluster_state}); a small pool of read-only connections
 * serves readers concurrently, which WAL allows without blocking the writer.
 */
public final class StateStore implements AutoCloseable {
    /** The database file name inside the state directory. */
    public static final String DB_FILE = "state.db";

    private final Path dir;
    private final Path dbFile;
    private final ConnectionPool writer;
    private final ConnectionPool readers;
    private final Settings jooqSettings = new Settings().withExecuteLogging(false).withRenderSchema(false);

    private StateStore(Path dir, Path dbFile, ConnectionPool writer, ConnectionPool readers) {
        this.dir = dir;
        this.dbFile = dbFile;
        this.writer = writer;
        this.readers = readers;
    }

    /**
     * Opens (creating if needed, mode 0700) the state directory and its {@code state.db}. Does not
     * migrate: call {@link #migrate()} once the caller has checked what it needs to check first.
     */
    public static StateStore open(Path stateDir) {
        Path dir = stateDir.toAbsolutePath().normalize();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new TiyiException("cannot create state directory " + dir + ": " + e.getMessage()
                    + "; check the path and permissions of state.dir / --state-dir");
        }
        if (!Files.isWritable(dir)) {
            throw new TiyiException("state directory " + dir + " is not writable by this user");
        }
        Path db = dir.resolve(DB_FILE);
        ConnectionPool w;
        ConnectionPool r;
        try {
            // The writer opens first so that the file and its WAL exist before read-only connections open.
            w = new ConnectionPool(dataSource(db, false), 1);
            w.warmUp();
            r = new ConnectionPool(dataSource(db, true), 4);
        } catch (SQLException | RuntimeException e) {
            throw new TiyiException("cannot open " + db + ": " + e.getMessage(), e);
        }
        try {
            Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            // Best effort: the directory's mode already keeps others out.
        }
        return new StateStore(dir, db, w, r);
    }

    private static SQLiteDataSource dataSource(Path db, boolean readOnly) {
        SQLiteConfig sc = new SQLiteConfig();
        sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sc.enforceForeignKeys(true);
        sc.setBusyTimeout(10_000);
        sc.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        sc.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        sc.setReadOnly(readOnly);
        SQLiteDataSource ds = new SQLiteDataSource(sc);
        ds.setUrl("jdbc:sqlite:" + db);
        return ds;
    }

    /**
     * Reads the KEK fingerprint state.db was written with, without changing anything, or empty
     * for a database that was never initialised.
     */
    public Optional<String> storedKekFingerprint() {
        try (Connection c = readers.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type='table' AND name='cluster_state'")) {
            if (!rs.next()) {
                return Optional.empty();
            }
        } catch (SQLException e) {
            throw new TiyiException("cannot read " + dbFile + ": " + e.getMessage(), e);
        }
        return read(db -> db.select(CLUSTER_STATE.KEK_FINGERPRINT).from(CLUSTER_STATE).fetchOptional(CLUSTER_STATE.KEK_FINGERPRINT));
    }

    /** Applies missing migrations; returns the schema version. */
    public int migrate() {
        try (Connection c = writer.getConnection()) {
            return Migrations.apply(c, dbFile.toString());
        } catch (SQLException e) {
            throw new TiyiException("cannot migrate " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code fn} on a read-only connection; it sees the last committed state. */
    public <T> T read(Function<DSLContext, T> fn) {
        try (Connection c = readers.getConnection()) {
            return fn.apply(DSL.using(c, SQLDialect.SQLITE, jooqSettings));
        } catch (SQLException e) {
            throw new TiyiException("cannot read " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code fn} in one write transaction for node-local rows that are not replicated (the
     * node's {@code cluster_state}). Replicated state changes only through {@link MutationPipeline}.
     */
    public <T> T writeLocal(Function<DSLContext, T> fn) {
        return writeTx(fn);
    }

    /** Runs {@code fn} in one write transaction on the single writer connection. */
    <T> T writeTx(Function<DSLContext, T> fn) {
        try (Connection c = writer.getConnection()) {
            DSLContext db = DSL.using(c, SQLDialect.SQLITE, jooqSettings);
            return db.transactionResult(cfg -> fn.apply(cfg.dsl()));
        } catch (SQLException e) {
            throw new TiyiException("cannot write " + dbFile + ": " + e.getMessage(), e);
        } catch (org.jooq.exception.DataAccessException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re && !(cause instanceof org.jooq.exception.DataAccessException)) {
                throw re;
            }
            throw new TiyiException("cannot write " + dbFile + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path dbFile() {
        return dbFile;
    }

    @Override
    public void close() {
        readers.close();
        writer.close();
    }
}
