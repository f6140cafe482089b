package io.tiyi.cli;

import static io.tiyi.cli.CommandNode.group;
import static io.tiyi.cli.CommandNode.leaf;

import java.util.List;
import java.util.Optional;

/**
 * Every command of {@code tiyi}, in the sections of the overview that {@code tiyi help} prints,
 * each with its line there. A line's {@value #VERBS} stands for the group's verbs, so adding a
 * verb to a group lists it.
 */
final class CommandTree {
    /** In an overview line, the group's verbs. */
    static final String VERBS = "{verbs}";

    /** A top-level command and its line in the overview; a line may run on over several. */
    record Entry(CommandNode node, String summary) {
        String line() {
            return node instanceof CommandNode.Group g ? summary.replace(VERBS, g.verbs()) : summary;
        }
    }

    /** A titled part of the overview. */
    record Section(String title, List<Entry> entries) {
        Section {
            entries = List.copyOf(entries);
        }
    }

    private static final String FOOTER = """
            Options of every admin command: --api URL (or TIYI_API), --output table|json,
            --state-dir DIR (or TIYI_STATE_DIR) to use a local node's admin credential.
            Every command takes --help.
            """;

    private CommandTree() {}

    static Entry entry(CommandNode node, String summary) {
        return new Entry(node, summary);
    }

    /** The sections of the overview, and in them every command. */
    static List<Section> sections() {
        return List.of(
                new Section("Run a node", List.of(
                        entry(new CommandNode.Builtin("server"), "run a primary control-plane node (state, API, signed bundles, data plane)"),
                        entry(new CommandNode.Builtin("secondary"),
                                "run a warm secondary: replicate the primary, serve a read-only API, proxy traffic"),
                        entry(new CommandNode.Builtin("agent"), "run an agent: enroll with a control plane once, then serve its signed bundles"))),
                new Section("Administer a node (over its API)", admin()),
                new Section("Other", List.of(
                        entry(new CommandNode.Builtin("version"), "print the version and build commit"),
                        entry(new CommandNode.Builtin("help"), "show this help"))));
    }

    /** The root of the commands that work over a node's API (and {@code release package}, {@code backup}, which work locally). */
    static CommandNode.Group adminRoot() {
        return new CommandNode.Group("", "", admin().stream().map(Entry::node).toList());
    }

    /** The admin command named {@code name}, if any. */
    static Optional<CommandNode> admin(String name) {
        return adminRoot().child(name);
    }

    private static List<Entry> admin() {
        return List.of(
                entry(leaf("login", AccountCommands.Login::new), "log in to a node and keep the session"),
                entry(leaf("logout", AccountCommands.Logout::new), "end the session"),
                entry(leaf("promote", SystemCommands.Promote::new),
                        "promote this secondary to primary (two-phase handover; --force if the primary is gone)"),
                entry(group("sites", "sites, upstream pools and path routes",
                        leaf("create", ProxyCommands.SitesCreate::new),
                        leaf("list", ProxyCommands.SitesList::new),
                        leaf("show", ProxyCommands.SitesShow::new),
                        leaf("update", ProxyCommands.SitesUpdate::new),
                        leaf("delete", ProxyCommands.SitesDelete::new),
                        leaf("add-route", ProxyCommands.SitesAddRoute::new),
                        leaf("remove-route", ProxyCommands.SitesRemoveRoute::new)),
                        "sites, upstream pools and path routes: " + VERBS),
                entry(group("certs", "TLS certificates",
                        leaf("import", ProxyCommands.CertsImport::new),
                        leaf("list", ProxyCommands.CertsList::new),
                        leaf("show", ProxyCommands.CertsShow::new),
                        leaf("delete", ProxyCommands.CertsDelete::new)),
                        "TLS certificates: " + VERBS),
                entry(group("waf", "web application firewall policy of sites",
                        leaf("show", WafCommands.Show::new),
                        leaf("set", WafCommands.Set::new),
                        leaf("exclude", WafCommands.Exclude::new),
                        leaf("unexclude", WafCommands.Unexclude::new),
                        leaf("test", WafCommands.Test::new),
                        leaf("conformance", WafCommands.Conformance::new)),
                        "WAF policy of sites: " + VERBS),
                entry(group("crs", "the OWASP CRS the node runs: install, status",
                        leaf("install", CrsCommands.Install::new),
                        leaf("status", CrsCommands.Status::new)),
                        "the OWASP CRS 4 the WAF runs: install (a release tarball, directory or URL), status"),
                entry(group("events", "access and security events of the node",
                        leaf("list", ProxyCommands.EventsList::new),
                        leaf("tail", ProxyCommands.EventsTail::new)),
                        "the node's access and security events: " + VERBS),
                entry(group("users", "manage control-plane accounts",
                        leaf("list", AccountCommands.UsersList::new),
                        leaf("create", AccountCommands.UsersCreate::new),
                        leaf("set-password", AccountCommands.UsersSetPassword::new),
                        leaf("set-role", AccountCommands.UsersSetRole::new),
                        leaf("disable", AccountCommands.UsersDisable::new),
                        leaf("delete", AccountCommands.UsersDelete::new)),
                        "manage control-plane accounts: " + VERBS),
                entry(group("system", "node status and settings",
                        leaf("status", SystemCommands.Status::new),
                        group("settings", "typed runtime settings",
                                leaf("list", SystemCommands.SettingsList::new),
                                leaf("get", SystemCommands.SettingsGet::new),
                                leaf("update", SystemCommands.SettingsUpdate::new)),
                        leaf("resume-writes", BackupCommands.ResumeWrites::new)),
                        "node status and settings: " + VERBS),
                entry(group("audit", "the tamper-evident audit log",
                        leaf("list", SystemCommands.AuditList::new),
                        leaf("verify-chain", SystemCommands.AuditVerify::new)),
                        "the tamper-evident audit log: " + VERBS),
                entry(group("agents", "enrollment tokens and enrolled agents",
                        leaf("issue-token", AgentCommands.IssueToken::new),
                        group("tokens", "enrollment tokens: list, revoke",
                                leaf("list", AgentCommands.TokensList::new),
                                leaf("revoke", AgentCommands.TokensRevoke::new)),
                        leaf("list", AgentCommands.AgentsList::new),
                        leaf("show", AgentCommands.AgentsShow::new),
                        leaf("revoke", AgentCommands.AgentsRevoke::new)),
                        "agents and enrollment tokens: " + VERBS),
                entry(group("bundles", "signed configuration bundles for agents",
                        leaf("status", AgentCommands.BundlesStatus::new),
                        leaf("rotate-signing-key", AgentCommands.RotateSigningKey::new)),
                        "signed bundles for agents: " + VERBS),
                entry(group("trust", "the client-IP trust profile",
                        leaf("set", TrustCommands.Set::new),
                        leaf("show", TrustCommands.Show::new),
                        leaf("test", TrustCommands.Test::new),
                        group("cdn", "CDN providers' ranges: list, refresh",
                                leaf("list", TrustCommands.CdnList::new),
                                leaf("refresh", TrustCommands.CdnRefresh::new))),
                        "client-IP trust profile: " + VERBS),
                entry(group("alerts", "alert firings and rules",
                        leaf("list", AlertsCommands.FiringsList::new),
                        leaf("show", AlertsCommands.Show::new),
                        leaf("ack", AlertsCommands.Ack::new),
                        group("rules", "alert rules: list, enable, disable, update",
                                leaf("list", AlertsCommands.RulesList::new),
                                leaf("enable", AlertsCommands.RulesEnable::new),
                                leaf("disable", AlertsCommands.RulesDisable::new),
                                leaf("update", AlertsCommands.RulesUpdate::new))),
                        "alert firings and rules: " + VERBS),
                entry(group("siem", "SIEM forwarding: send a test event, show counters",
                        leaf("test", SiemCommands.Test::new),
                        leaf("status", SiemCommands.Status::new)),
                        "SIEM forwarding: test (send a test event), status"),
                // The overview leaves out "package": it is a build step, not an operation on a node.
                entry(group("release", "releases and rolling upgrades of agents",
                        leaf("package", ReleaseCommands.Package::new),
                        leaf("import", RolloutCommands.Import::new),
                        leaf("list", RolloutCommands.ListReleases::new),
                        leaf("delete", RolloutCommands.Delete::new),
                        leaf("apply", RolloutCommands.Apply::new),
                        leaf("runs", RolloutCommands.Runs::new),
                        leaf("rollback", RolloutCommands.Rollback::new)),
                        "releases and rolling upgrades of agents: import, list, apply, runs, rollback\n"
                                + "(release package builds a tarball locally)"),
                entry(group("backup", "backups of a node on this host: create, verify, restore",
                        leaf("create", BackupCommands.Create::new),
                        leaf("verify", BackupCommands.Verify::new),
                        leaf("restore", BackupCommands.Restore::new)),
                        "backups of a node on this host: " + VERBS + " (local, no API)"));
    }

    /** What {@code tiyi help} prints: every section's commands with their lines, then the options every command takes. */
    static String overview() {
        StringBuilder sb = new StringBuilder("Usage: tiyi <command> [options]\n");
        for (Section s : sections()) {
            sb.append('\n').append(s.title()).append(":\n");
            for (Entry e : s.entries()) {
                String[] lines = e.line().split("\n");
                sb.append(String.format("  %-14s%s%n", e.node().name(), lines[0]).replace(System.lineSeparator(), "\n"));
                for (int i = 1; i < lines.length; i++) {
                    sb.append(" ".repeat(16)).append(lines[i]).append('\n');
                }
            }
        }
        return sb.append('\n').append(FOOTER).toString();
    }
}
