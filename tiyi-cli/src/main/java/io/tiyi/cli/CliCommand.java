package io.tiyi.cli;

/** One leaf command of the {@code tiyi} CLI. */
interface CliCommand {
    /** The options every command takes. */
    GlobalOptions global();

    /** Runs the command; returns the exit code (0 ok, 1 failure). */
    int run(CliContext ctx) throws Exception;
}
