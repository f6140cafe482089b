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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code tiyi} command. Daemon roles ({@code server}, {@code agent}) are handed to their
 * launchers with their own flags; every other command is an administrator's command over the API.
 *
 * <p>Exit codes: 0 success, 1 failure, 2 usage error. Errors are one line on standard error.
 * Output is a table on a terminal and JSON when piped or with {@code --output json}.
 */
public final class TiyiCli {
    /** A command group: a noun with verbs below it. */
    private record Group(String description, Map<String, Object> children) {}

    @Parameters(commandDescription = "group")
    static final class GroupOptions {
        @ParametersDelegate
        GlobalOptions global = new GlobalOptions();
    }

    private static Map<String, Object> tree() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("login", (Supplier<CliCommand>) AccountCommands.Login::new);
        t.put("logout", (Supplier<CliCommand>) AccountCommands.Logout::new);
        t.put("promote", (Supplier<CliCommand>) SystemCommands.Promote::new);
        Map<String, Object> users = new LinkedHashMap<>();
        users.put("list", (Supplier<CliCommand>) AccountCommands.UsersList::new);
        users.put("create", (Supplier<CliCommand>) AccountCommands.UsersCreate::new);
        users.put("set-password", (Supplier<CliCommand>) AccountCommands.UsersSetPassword::new);
        users.put("set-role", (Supplier<CliCommand>) AccountCommands.UsersSetRole::new);
        users.put("disable", (Supplier<CliCommand>) AccountCommands.UsersDisable::new);
        users.put("delete", (Supplier<CliCommand>) AccountCommands.UsersDelete::new);
        t.put("users", new Group("manage control-plane accounts", users));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("list", (Supplier<CliCommand>) SystemCommands.SettingsList::new);
        settings.put("get", (Supplier<CliCommand>) SystemCommands.SettingsGet::new);
        settings.put("update", (Supplier<CliCommand>) SystemCommands.SettingsUpdate::new);
        Map<String, Object> system = new LinkedHashMap<>();
        system.put("status", (Supplier<CliCommand>) SystemCommands.Status::new);
        system.put("settings", new Group("typed runtime settings", settings));
        system.put("resume-writes", (Supplier<CliCommand>) BackupCommands.ResumeWrites::new);
        t.put("system", new Group("node status and settings", system));
        Map<String, Object> sites = new LinkedHashMap<>();
        sites.put("create", (Supplier<CliCommand>) ProxyCommands.SitesCreate::new);
        sites.put("list", (Supplier<CliCommand>) ProxyCommands.SitesList::new);
        sites.put("show", (Supplier<CliCommand>) ProxyCommands.SitesShow::new);
        sites.put("update", (Supplier<CliCommand>) ProxyCommands.SitesUpdate::new);
        sites.put("delete", (Supplier<CliCommand>) ProxyCommands.SitesDelete::new);
        sites.put("add-route", (Supplier<CliCommand>) ProxyCommands.SitesAddRoute::new);
        sites.put("remove-route", (Supplier<CliCommand>) ProxyCommands.SitesRemoveRoute::new);
        t.put("sites", new Group("sites, upstream pools and path routes", sites));
        Map<String, Object> certs = new LinkedHashMap<>();
        certs.put("import", (Supplier<CliCommand>) ProxyCommands.CertsImport::new);
        certs.put("list", (Supplier<CliCommand>) ProxyCommands.CertsList::new);
        certs.put("show", (Supplier<CliCommand>) ProxyCommands.CertsShow::new);
        certs.put("delete", (Supplier<CliCommand>) ProxyCommands.CertsDelete::new);
        t.put("certs", new Group("TLS certificates", certs));
        Map<String, Object> waf = new LinkedHashMap<>();
        waf.put("show", (Supplier<CliCommand>) WafCommands.Show::new);
        waf.put("set", (Supplier<CliCommand>) WafCommands.Set::new);
        waf.put("exclude", (Supplier<CliCommand>) WafCommands.Exclude::new);
        waf.put("unexclude", (Supplier<CliCommand>) WafCommands.Unexclude::new);
        waf.put("test", (Supplier<CliCommand>) WafCommands.Test::new);
        waf.put("conformance", (Supplier<CliCommand>) WafCommands.Conformance::new);
        t.put("waf", new Group("web application firewall policy of sites", waf));
        Map<String, Object> crs = new LinkedHashMap<>();
        crs.put("install", (Supplier<CliCommand>) CrsCommands.Install::new);
        crs.put("status", (Supplier<CliCommand>) CrsCommands.Status::new);
        t.put("crs", new Group("the OWASP CRS the node runs: install, status", crs));
        Map<String, Object> events = new LinkedHashMap<>();
        events.put("list", (Supplier<CliCommand>) ProxyCommands.EventsList::new);
        events.put("tail", (Supplier<CliCommand>) ProxyCommands.EventsTail::new);
        t.put("events", new Group("access and security events of the node", events));
        Map<String, Object> audit = new LinkedHashMap<>();
        audit.put("list", (Supplier<CliCommand>) SystemCommands.AuditList::new);
        audit.put("verify-chain", (Supplier<CliCommand>) SystemCommands.AuditVerify::new);
        t.put("audit", new Group("the tamper-evident audit log", audit));
        Map<String, Object> tokens = new LinkedHashMap<>();
        tokens.put("list", (Supplier<CliCommand>) AgentCommands.TokensList::new);
        tokens.put("revoke", (Supplier<CliCommand>) AgentCommands.TokensRevoke::new);
        Map<String, Object> agents = new LinkedHashMap<>();
        agents.put("issue-token", (Supplier<CliCommand>) AgentCommands.IssueToken::new);
        agents.put("tokens", new Group("enrollment tokens: list, revoke", tokens));
        agents.put("list", (Supplier<CliCommand>) AgentCommands.AgentsList::new);
        agents.put("show", (Supplier<CliCommand>) AgentCommands.AgentsShow::new);
        agents.put("revoke", (Supplier<CliCommand>) AgentCommands.AgentsRevoke::new);
        t.put("agents", new Group("enrollment tokens and enrolled agents", agents));
        Map<String, Object> bundles = new LinkedHashMap<>();
        bundles.put("status", (Supplier<CliCommand>) AgentCommands.BundlesStatus::new);
        bundles.put("rotate-signing-key", (Supplier<CliCommand>) AgentCommands.RotateSigningKey::new);
        t.put("bundles", new Group("signed configuration bundles for agents", bundles));
        Map<String, Object> cdn = new LinkedHashMap<>();
        cdn.put("list", (Supplier<CliCommand>) TrustCommands.CdnList::new);
        cdn.put("refresh", (Supplier<CliCommand>) TrustCommands.CdnRefresh::new);
        Map<String, Object> trust = new LinkedHashMap<>();
        trust.put("set", (Supplier<CliCommand>) TrustCommands.Set::new);
        trust.put("show", (Supplier<CliCommand>) TrustCommands.Show::new);
        trust.put("test", (Supplier<CliCommand>) TrustCommands.Test::new);
        trust.put("cdn", new Group("CDN providers' ranges: list, refresh", cdn));
        t.put("trust", new Group("the client-IP trust profile", trust));
        Map<String, Object> rules = new LinkedHashMap<>();
        rules.put("list", (Supplier<CliCommand>) AlertsCommands.RulesList::new);
        rules.put("enable", (Supplier<CliCommand>) AlertsCommands.RulesEnable::new);
        rules.put("disable", (Supplier<CliCommand>) AlertsCommands.RulesDisable::new);
        rules.put("update", (Supplier<CliCommand>) AlertsCommands.RulesUpdate::new);
        Map<String, Object> alerts = new LinkedHashMap<>();
        alerts.put("list", (Supplier<CliCommand>) AlertsCommands.FiringsList::new);
        alerts.put("show", (Supplier<CliCommand>) AlertsCommands.Show::new);
        alerts.put("ack", (Supplier<CliCommand>) AlertsCommands.Ack::new);
        alerts.put("rules", new Group("alert rules: list, enable, disable, update", rules));
        t.put("alerts", new Group("alert firings and rules", alerts));
        Map<String, Object> siem = new LinkedHashMap<>();
        siem.put("test", (Supplier<CliCommand>) SiemCommands.Test::new);
        siem.put("status", (Supplier<CliCommand>) SiemCommands.Status::new);
        t.put("siem", new Group("SIEM forwarding: send a test event, show counters", siem));
        Map<String, Object> release = new LinkedHashMap<>();
        release.put("package", (Supplier<CliCommand>) ReleaseCommands.Package::new);
        release.put("import", (Supplier<CliCommand>) RolloutCommands.Import::new);
        release.put("list", (Supplier<CliCommand>) RolloutCommands.ListReleases::new);
        release.put("apply", (Supplier<CliCommand>) RolloutCommands.Apply::new);
        release.put("runs", (Supplier<CliCommand>) RolloutCommands.Runs::new);
        release.put("rollback", (Supplier<CliCommand>) RolloutCommands.Rollback::new);
        t.put("release", new Group("releases and rolling upgrades of agents", release));
        Map<String, Object> backup = new LinkedHashMap<>();
        backup.put("create", (Supplier<CliCommand>) BackupCommands.Create::new);
        backup.put("verify", (Supplier<CliCommand>) BackupCommands.Verify::new);
        backup.put("restore", (Supplier<CliCommand>) BackupCommands.Restore::new);
        t.put("backup", new Group("backups of a node on this host: create, verify, restore", backup));
        return t;
    }

    static final String COMMANDS = """
            Usage: tiyi <command> [options]

            Run a node:
              server        run a primary control-plane node (state, API, signed bundles, data plane)
              secondary     run a warm secondary: replicate the primary, serve a read-only API, proxy traffic
              agent         run an agent: enroll with a control plane once, then serve its signed bundles

            Administer a node (over its API):
              login         log in to a node and keep the session
              logout        end the session
              promote       promote this secondary to primary (two-phase handover; --force if the primary is gone)
              sites         sites, upstream pools and path routes: create, list, show, update, delete, add-route, remove-route
              certs         TLS certificates: import, list, show, delete
              waf           WAF policy of sites: show, set, exclude, unexclude, test, conformance
              crs           the OWASP CRS 4 the WAF runs: install (a release tarball, directory or URL), status
              events        the node's access and security events: list, tail
              users         manage control-plane accounts: list, create, set-password, set-role, disable, delete
              system        node status and settings: status, settings list|get|update, resume-writes
              audit         the tamper-evident audit log: list, verify-chain
              agents        agents and enrollment tokens: issue-token, tokens list|revoke, list, show, revoke
              bundles       signed bundles for agents: status, rotate-signing-key
              trust         client-IP trust profile: set, show, test, cdn list|refresh
              alerts        alert firings and rules: list, show, ack, rules list|enable|disable|update
              siem          SIEM forwarding: test (send a test event), status
              release       releases and rolling upgrades of agents: import, list, apply, runs, rollback
                            (release package builds a tarball locally)
              backup        backups of a node on this host: create, verify, restore (local, no API)

            Other:
              version       print the version and build commit
              help          show this help

            Options of every admin command: --api URL (or TIYI_API), --output table|json,
            --state-dir DIR (or TIYI_STATE_DIR) to use a local node's admin credential.
            Every command takes --help.
            """;

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
        Map<String, Object> tree = tree();
        if (!tree.containsKey(args[0])) {
            err.println("ERROR " + (args[0].startsWith("-") ? "unknown option " + args[0] : "unknown command '" + args[0] + "'")
                    + " for 'tiyi'; see --help");
            return 2;
        }
        GroupOptions root = new GroupOptions();
        JCommander jc = JCommander.newBuilder().programName("tiyi").addObject(root).build();
        build(jc, tree);
        List<String> path = new ArrayList<>();
        try {
            CommandLine.parse(jc, "tiyi", args);
        } catch (CommandLine.UsageError e) {
            err.println("ERROR " + e.getMessage());
            return 2;
        }
        JCommander current = jc;
        Object node = new Group("", tree);
        GlobalOptions global = root.global;
        while (current.getParsedCommand() != null) {
            String name = current.getParsedCommand();
            path.add(name);
            current = current.getCommands().get(name);
            Object o = current.getObjects().get(0);
            GlobalOptions g = o instanceof CliCommand c ? c.global() : ((GroupOptions) o).global;
            g.fillFrom(global);
            global = g;
            node = ((Group) node).children().get(name);
        }
        String prog = "tiyi " + String.join(" ", path);
        if (node instanceof Group g) {
            JCommander at = current;
            PrintStream to = global.help ? out : err;
            to.println("Usage: " + prog + " <command> [options]\n\nCommands:");
            g.children().forEach((k, v) -> to.printf("  %-14s %s%n", k, v instanceof Group gg ? gg.description()
                    : descriptionOf(at.getCommands().get(k))));
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
            err.println("ERROR " + e.getMessage() + " (see: " + prog + " --help)");
            return 2;
        } catch (TiyiException e) {
            String hint = e.code() == ErrorCode.UNAUTHENTICATED
                    ? "; on a node's host pass --state-dir (or TIYI_STATE_DIR) to use its local admin credential, elsewhere run: tiyi login --api URL --user NAME"
                    : "";
            err.println("ERROR " + e.getMessage() + hint);
            return 1;
        } catch (Exception e) {
            err.println("ERROR " + describe(e));
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

    @SuppressWarnings("unchecked")
    private static void build(JCommander parent, Map<String, Object> children) {
        for (Map.Entry<String, Object> e : children.entrySet()) {
            if (e.getValue() instanceof Group g) {
                GroupOptions opts = new GroupOptions();
                parent.addCommand(e.getKey(), opts);
                build(parent.getCommands().get(e.getKey()), g.children());
            } else {
                CliCommand c = ((Supplier<CliCommand>) e.getValue()).get();
                parent.addCommand(e.getKey(), c);
            }
        }
    }
}
