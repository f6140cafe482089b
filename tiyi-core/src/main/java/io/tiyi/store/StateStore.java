package io.tiyi.store;

import static io.tiyi.store.generated.Tables.CLUSTER_STATE;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tiyi.TiyiException;
import io.tiyi.internal.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /** Where {@code tiyi crs install} puts OWASP CRS releases, inside the state directory. */
    public static final String CRS_DIR = "crs";

    /** Pool names, as the pool's own log lines and thread names show them. */
    static final String WRITER_POOL = "tiyi-state";
    static final String READER_POOL = "tiyi-state-read";
    private static final int READERS = 4;

    private final Path dir;
    private final Path dbFile;
    private final HikariDataSource writer;
    private final HikariDataSource readers;
    private final Settings jooqSettings = new Settings().withExecuteLogging(false).withRenderSchema(false);

    private StateStore(Path dir, Path dbFile, HikariDataSource writer, HikariDataSource readers) {
        this.dir = dir;
        this.dbFile = dbFile;
        this.writer = writer;
        this.readers = readers;
    }

    /**
     * Opens (creating if needed) the state directory and its {@code state.db}: a new directory is
     * created {@code 0700}, a new database {@code 0600}. A node makes an existing directory private
     * first ({@link #secure}). Does not migrate: call {@link #migrate()} once the caller has
     * checked what it needs to check first.
     */
    public static StateStore open(Path stateDir) {
        Path dir = stateDir.toAbsolutePath().normalize();
        try {
            PrivateFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new TiyiException("cannot create state directory " + dir + ": " + e.getMessage()
                    + "; check the path and permissions of state.dir / --state-dir");
        }
        if (!Files.isWritable(dir)) {
            throw new TiyiException("state directory " + dir + " is not writable by this user");
        }
        Path db = dir.resolve(DB_FILE);
        try {
            // Created here, 0600, rather than by SQLite with the umask's mode: SQLite gives its -wal and -shm files the mode of the database.
            if (!Files.exists(db)) {
                PrivateFiles.createFile(db);
            }
        } catch (IOException e) {
            throw new TiyiException("cannot create " + db + ": " + e.getMessage() + "; check the permissions of state.dir / --state-dir");
        }
        HikariDataSource w = null;
        HikariDataSource r;
        try {
            // The writer opens first so that the file and its WAL exist before read-only connections open.
            w = pool(WRITER_POOL, db, false, 1);
            r = pool(READER_POOL, db, true, READERS);
        } catch (RuntimeException e) {
            if (w != null) {
                w.close();
            }
            Throwable cause = e.getCause() instanceof SQLException ? e.getCause() : e;
            throw new TiyiException("cannot open " + db + ": " + cause.getMessage(), e);
        }
        return new StateStore(dir, db, w, r);
    }

    /**
     * Makes a node's state directory private before it starts: group and other permissions are
     * removed from it and everything under it, with a WARNING per path, and a path that belongs to
     * another user is refused ({@link PrivateFiles#secure}). {@code crs/}, published OWASP CRS rule
     * files, keeps the modes it was installed with: the directory's 0700 already keeps others out.
     */
    public static void secure(Path stateDir) {
        PrivateFiles.secure(stateDir, "state directory", Path.of(CRS_DIR));
    }

    /**
     * A fixed pool of SQLite connections. They are local file handles that never go stale, so
     * they are kept for the life of the store: no maximum lifetime, no keepalive, and validation
     * is the driver's {@code isValid} alone.
     */
    private static HikariDataSource pool(String name, Path db, boolean readOnly, int size) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(name);
        hc.setDataSource(dataSource(db, readOnly));
        // Agrees with the flag SQLite fixed when the connection opened, so the pool never tries to flip it.
        hc.setReadOnly(readOnly);
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(size);
        // The pipeline and node-local writes share one writer, so waiting for it is normal; 30 s of waiting is not.
        hc.setConnectionTimeout(30_000);
        hc.setValidationTimeout(1_000);
        hc.setMaxLifetime(0);
        hc.setKeepaliveTime(0);
        hc.setIdleTimeout(0);
        // Opens one connection now, so that a bad path or a locked file fails open() rather than the first query.
        hc.setInitializationFailTimeout(1);
        return new HikariDataSource(hc);
    }

    /** Per-connection settings: SQLite applies them as pragmas each time a connection opens. */
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

    /**
     * Applies missing migrations on the writer connection; returns the schema version. A database
     * from a newer Tiyi, or one whose applied migrations differ from this build's files, is refused.
     */
    public int migrate() {
        return Migrations.apply(writer, dbFile.toString());
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
