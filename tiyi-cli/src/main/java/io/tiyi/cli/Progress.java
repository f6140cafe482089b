package io.tiyi.cli;

/** Placeholder replaced by the shared progress display. */
final class Progress implements AutoCloseable {
    private final CliContext ctx;

    private Progress(CliContext ctx) {
        this.ctx = ctx;
    }

    static Progress start(CliContext ctx, String what) {
        return new Progress(ctx);
    }

    void step(String what) {}

    void advance(long done, long total) {}

    @Override
    public void close() {}
}
