package io.tiyi.cli;

import io.tiyi.TiyiVersion;
import io.tiyi.launcher.server.ServerMain;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code tiyi} command. Daemon roles ({@code server}) are handed to their launchers with
 * their own flags; every other command is an administrator's command over the API.
 *
 * <p>Exit codes: 0 success, 1 failure, 2 usage error.
 */
public final class TiyiCli {
    static final String COMMANDS = """
            Usage: tiyi <command> [options]

            Run a node:
              server        run a primary control-plane node (state, API, signed bundles)

            Other:
              version       print the version and build commit
              help          show this help

            Every command takes --help.
            """;

    private TiyiCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(COMMANDS);
            return 2;
        }
        String cmd = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (cmd) {
            case "server":
                return ServerMain.run(rest);
            case "version":
            case "--version":
                out.println(TiyiVersion.banner());
                return 0;
            case "help":
            case "--help":
            case "-h":
                out.print(COMMANDS);
                return 0;
            default:
                err.println("ERROR unknown command '" + cmd + "' (see: tiyi --help)");
                return 2;
        }
    }
}
