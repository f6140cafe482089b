package io.tiyi.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.sqlite.SQLiteDataSource;

/**
 * A fixed-size set of SQLite connections opened on demand. SQLite connections are cheap and
 * local, so this needs no validation or eviction: a connection is handed out, used by one
 * thread, and returned by closing the {@link Lease}.
 */
final class ConnectionPool implements AutoCloseable {
    private final SQLiteDataSource source;
    private final BlockingQueue<Connection> idle;
    private final List<Connection> all = new ArrayList<>();
    private final int size;
    private boolean closed;

    ConnectionPool(SQLiteDataSource source, int size) {
        this.source = source;
        this.size = size;
        this.idle = new ArrayBlockingQueue<>(size);
    }

    void warmUp() throws SQLException {
        try (Connection c = getConnection()) {
            c.isValid(1);
        }
    }

    /** A connection whose {@code close()} returns it to the pool. */
    Connection getConnection() throws SQLException {
        Connection c = idle.poll();
        if (c == null) {
            c = openIfRoom();
        }
        if (c == null) {
            try {
                c = idle.poll(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for a state.db connection");
            }
            if (c == null) {
                throw new SQLException("no state.db connection free after 30 s");
            }
        }
        return Lease.wrap(c, this);
    }

    private synchronized Connection openIfRoom() throws SQLException {
        if (closed) {
            throw new SQLException("state.db is closed");
        }
        if (all.size() >= size) {
            return null;
        }
        Connection c = source.getConnection();
        all.add(c);
        return c;
    }

    void release(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            discard(c);
            return;
        }
        synchronized (this) {
            if (closed) {
                closeQuietly(c);
                return;
            }
        }
        idle.offer(c);
    }

    private synchronized void discard(Connection c) {
        all.remove(c);
        closeQuietly(c);
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Connection c : all) {
            closeQuietly(c);
        }
        all.clear();
        idle.clear();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Closing is best effort; SQLite checkpoints the WAL on the last close.
        }
    }

    /** Hands a pooled connection out; closing it gives it back instead of closing it. */
    static final class Lease {
        private Lease() {}

        static Connection wrap(Connection c, ConnectionPool pool) {
            java.util.concurrent.atomic.AtomicBoolean returned = new java.util.concurrent.atomic.AtomicBoolean();
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if ("close".equals(method.getName()) && method.getParameterCount() == 0) {
                            if (returned.compareAndSet(false, true)) {
                                pool.release(c);
                            }
                            return null;
                        }
                        if ("isClosed".equals(method.getName()) && returned.get()) {
                            return true;
                        }
                        if (returned.get()) {
                            throw new java.sql.SQLException("connection already returned to the pool");
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
