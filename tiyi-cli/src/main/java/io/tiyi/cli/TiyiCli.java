package io.tiyi.cli;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameters;
import com.beust.jcommander.ParametersDelegate;
import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.tiyi.TiyiVersion;
import io.tiyi.launcher.agent.AgentMain;
import io.tiyi.launcher.server.CommandLine;
import io.tiyi.launcher.server.ServerMain;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The {@code tiyi} command. Daemon roles ({@code server}, {@code agent}) are handed to their
 * launchers with their own flags; every other command is an administrator's command over the API.
 *
 * <p>Exit codes: 0 success, 1 failure, 2 usage error. Errors are one line on standard error.
 * Output is a table on a terminal and JSON when piped or with {@code --output json}.
 */
public final class TiyiCli {
    @Parameters(commandDescription = "group")
    static final class GroupOptions {
        @ParametersDelegate
        GlobalOptions global = new GlobalOptions();
    }

    /** What {@code tiyi help} prints, made from the command tree. */
    static final String COMMANDS = CommandTree.overview();

    private TiyiCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.in, System.getenv(), System.console() != null));
    }

    static int run(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean terminal) {
        if (args.length == 0) {
            err.print(COMMANDS);
            return 2;
        }
        String cmd = args[0];
        switch (cmd) {
            case "server":
                return ServerMain.run(Arrays.copyOfRange(args, 1, args.length), out, err);
            case "secondary":
                return ServerMain.runSecondary(Arrays.copyOfRange(args, 1, args.length), out, err);
            case "agent":
                return AgentMain.run(Arrays.copyOfRange(args, 1, args.length), env, out, err);
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
                return admin(args, out, err, in, env, terminal);
        }
    }

    private static int admin(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean terminal) {
        CommandNode.Group tree = CommandTree.adminRoot();
        if (tree.child(args[0]).isEmpty()) {
            err.println(Table.escape("ERROR " + (args[0].startsWith("-") ? "unknown option " + args[0] : "unknown command '" + args[0] + "'")
                    + " for 'tiyi'; see --help"));
            return 2;
        }
        GroupOptions root = new GroupOptions();
        JCommander jc = JCommander.newBuilder().programName("tiyi").addObject(root).build();
        build(jc, tree);
        List<String> path = new ArrayList<>();
        try {
            CommandLine.parse(jc, "tiyi", args);
        } catch (CommandLine.UsageError e) {
            err.println(Table.escape("ERROR " + e.getMessage()));
            return 2;
        }
        JCommander current = jc;
        CommandNode node = tree;
        GlobalOptions global = root.global;
        while (current.getParsedCommand() != null) {
            String name = current.getParsedCommand();
            path.add(name);
            current = current.getCommands().get(name);
            Object o = current.getObjects().get(0);
            GlobalOptions g = o instanceof CliCommand c ? c.global() : ((GroupOptions) o).global;
            g.fillFrom(global);
            global = g;
            // JCommander parsed only names it was given from the tree, and only groups have commands below them.
            node = node instanceof CommandNode.Group parent ? parent.child(name).orElseThrow() : node;
        }
        String prog = "tiyi " + String.join(" ", path);
        if (node instanceof CommandNode.Group g) {
            JCommander at = current;
            PrintStream to = global.help ? out : err;
            to.println("Usage: " + prog + " <command> [options]\n\nCommands:");
            g.children().forEach(c -> to.printf("  %-14s %s%n", c.name(), c instanceof CommandNode.Group gg ? gg.description()
                    : descriptionOf(at.getCommands().get(c.name()))));
            to.println("\nRun '" + prog + " <command> --help' for its options.");
            return global.help ? 0 : 2;
        }
        if (global.help) {
            StringBuilder sb = new StringBuilder();
            current.setProgramName(prog);
            current.getUsageFormatter().usage(sb);
            out.print(sb);
            return 0;
        }
        CliCommand command = (CliCommand) current.getObjects().get(0);
        CliContext ctx = new CliContext(out, err, in, env, global, terminal);
        try {
            return command.run(ctx);
        } catch (UsageException e) {
            err.println(Table.escape("ERROR " + e.getMessage() + " (see: " + prog + " --help)"));
            return 2;
        } catch (TiyiException e) {
            String hint = e.code() == ErrorCode.UNAUTHENTICATED
                    ? "; on a node's host pass --state-dir (or TIYI_STATE_DIR) to use its local admin credential, elsewhere run: tiyi login --api URL --user NAME"
                    : "";
            err.println(Table.escape("ERROR " + e.getMessage() + hint));
            return 1;
        } catch (Exception e) {
            err.println(Table.escape("ERROR " + describe(e)));
            return 1;
        }
    }

    /** An unexpected failure as a sentence: what a file system error is about, not the exception's class. */
    static String describe(Throwable e) {
        if (e instanceof java.io.UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        String m = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            String what = e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                    : e instanceof java.nio.file.NotDirectoryException ? "not a directory"
                    : f.getReason() != null ? f.getReason() : "cannot be used";
            return f.getFile() + ": " + what;
        }
        return m != null && !m.isBlank() ? m : "unexpected " + e.getClass().getSimpleName();
    }

    private static String descriptionOf(JCommander jc) {
        Object o = jc.getObjects().get(0);
        Parameters p = o.getClass().getAnnotation(Parameters.class);
        return p == null ? "" : p.commandDescription();
    }

    private static void build(JCommander parent, CommandNode.Group group) {
        for (CommandNode child : group.children()) {
            if (child instanceof CommandNode.Group g) {
                parent.addCommand(g.name(), new GroupOptions());
                build(parent.getCommands().get(g.name()), g);
            } else if (child instanceof CommandNode.Leaf l) {
                parent.addCommand(l.name(), l.factory().get());
            } else {
                throw new IllegalStateException("'" + child.name() + "' is run before the command tree");
            }
        }
    }
}
