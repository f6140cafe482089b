package io.tiyi.cli;

import com.beust.jcommander.Parameter;

/** Options every command takes. */
public final class GlobalOptions {
    @Parameter(names = "--api", description = "Admin API URL of the node (default: $TIYI_API, the local node's, or http://127.0.0.1:8080)")
    String api;

    @Parameter(names = "--output", description = "table or json (default: table on a terminal, json when piped)")
    String output;

    @Parameter(names = "--state-dir", description = "State directory of a node on this host, for its local admin credential "
            + "(default: $TIYI_STATE_DIR or ./data)")
    String stateDir;

    @Parameter(names = {"-h", "--help"}, help = true, description = "Show help")
    boolean help;

    void fillFrom(GlobalOptions outer) {
        if (api == null) {
            api = outer.api;
        }
        if (output == null) {
            output = outer.output;
        }
        if (stateDir == null) {
            stateDir = outer.stateDir;
        }
        help = help || outer.help;
    }
}
