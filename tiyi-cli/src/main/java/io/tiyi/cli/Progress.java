package io.tiyi.cli;

import io.tiyi.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * One line on standard error, rewritten in place, that says how a long command goes:
 * {@code backup verify: checksums 2/3 (66%) 4s}. Only on a terminal and for table output:
 * elsewhere every method does nothing, so that JSON and piped output stay as they are.
 *
 * <p>Use it with try-with-resources; {@link #close} ends the line with a newline, so what follows
 * (the result, or the ERROR line) starts on a line of its own and the last step stays visible.
 * The line is redrawn at most ten times a second, and once a second while nothing is said, so a
 * step that is one long call shows its time passing.
 */
final class Progress implements ProgressListener, AutoCloseable {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long TICK_MILLIS = 1000;
    private static final Progress OFF = new Progress(null, "", 0);

    private final PrintStream err;
    private final String what;
    private final int width;
    private final long started = System.nanoTime();
    private final Thread ticker;
    private String step = "";
    private Unit unit = Unit.ITEMS;
    private long done = -1;
    private long total = -1;
    private boolean finished;
    private boolean closed;
    private int shown;
    private long drawnAt;

    private Progress(PrintStream err, String what, int width) {
        this.err = err;
        this.what = Table.escape(what);
        this.width = width;
        if (err == null) {
            this.ticker = null;
            return;
        }
        this.ticker = new Thread(this::tick, "tiyi-progress");
        ticker.setDaemon(true);
    }

    /**
     * A progress line for {@code what} (for example {@code backup create}) when the command runs on
     * a terminal with table output; otherwise one that prints nothing.
     */
    static Progress start(CliContext ctx, String what) {
        if (!ctx.terminal() || ctx.json()) {
            return OFF;
        }
        Progress p = new Progress(ctx.err, what, columns(ctx));
        p.draw(true);
        p.ticker.start();
        return p;
    }

    /** Whether this instance prints anything. */
    boolean active() {
        return err != null;
    }

    /** The terminal's width from {@code COLUMNS}, else 80: a line longer than the terminal would wrap and could not be rewritten. */
    private static int columns(CliContext ctx) {
        try {
            int c = Integer.parseInt(ctx.env.getOrDefault("COLUMNS", "80").trim());
            return c >= 20 ? c : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** A step begins; counts given to {@link #advance} are items. */
    @Override
    public void step(String what) {
        step(what, Unit.ITEMS);
    }

    /** A step begins; counts given to {@link #advance} are {@code unit}. */
    @Override
    public synchronized void step(String what, Unit unit) {
        if (err == null || closed) {
            return;
        }
        this.step = Table.escape(what);
        this.unit = unit;
        this.done = -1;
        this.total = -1;
        draw(true);
    }

    /** So much of the current step is done, of {@code total} (0 or less: not known). */
    @Override
    public synchronized void advance(long done, long total) {
        if (err == null || closed) {
            return;
        }
        this.done = done;
        this.total = total;
        draw(total > 0 && done >= total);
    }

    /** The command succeeded: the line says so when it is closed. */
    synchronized void done() {
        if (err == null || closed) {
            return;
        }
        finished = true;
        draw(true);
    }

    /** Prints {@code line} (a warning, an error) on a line of its own above the progress line. */
    synchronized void note(String line) {
        if (err == null || closed) {
            if (err != null) {
                err.println(line);
            }
            return;
        }
        err.print("\r" + " ".repeat(shown) + "\r");
        err.println(line);
        shown = 0;
        draw(true);
    }

    @Override
    public void close() {
        if (err == null) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            draw(true);
            err.println();
            err.flush();
            closed = true;
        }
        ticker.interrupt();
    }

    private void tick() {
        try {
            while (true) {
                Thread.sleep(TICK_MILLIS);
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    if (System.nanoTime() - drawnAt >= TICK_MILLIS * 1_000_000L) {
                        draw(true);
                    }
                }
            }
        } catch (InterruptedException e) {
            // Closed.
        }
    }

    /** Rewrites the line, at most every 100 ms unless {@code now}. Called holding the lock. */
    private void draw(boolean now) {
        long t = System.nanoTime();
        if (!now && t - drawnAt < REDRAW_NANOS) {
            return;
        }
        drawnAt = t;
        String line = line((t - started) / 1_000_000L);
        if (line.length() > width - 1) {
            line = line.substring(0, width - 4) + "...";
        }
        StringBuilder sb = new StringBuilder("\r").append(line);
        if (line.length() < shown) {
            sb.append(" ".repeat(shown - line.length())).append('\r').append(line);
        }
        shown = line.length();
        err.print(sb);
        err.flush();
    }

    /** The text of the line after {@code elapsedMillis}. */
    String line(long elapsedMillis) {
        StringBuilder sb = new StringBuilder(what).append(": ");
        if (finished) {
            return sb.append("done in ").append(seconds(elapsedMillis)).toString();
        }
        sb.append(step.isEmpty() ? "starting" : step);
        if (done >= 0) {
            sb.append(' ').append(amount(done));
            if (total > 0) {
                sb.append('/').append(amount(total)).append(" (").append(Math.min(100, done * 100 / total)).append("%)");
            }
        }
        if (elapsedMillis >= 2000) {
            sb.append(' ').append(elapsedMillis / 1000).append('s');
        }
        return sb.toString();
    }

    private String amount(long n) {
        return unit == Unit.BYTES ? bytes(n) : Long.toString(n);
    }

    /** {@code n} bytes for a person: {@code 512 B}, {@code 41.6 MiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
