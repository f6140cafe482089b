package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The overview {@code tiyi help} prints is made from the command tree, and reads as it always has. */
class CommandTreeTest {
    static final String OVERVIEW = """
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

    @Test
    void overviewIsTheOneOperatorsKnow() {
        assertThat(CommandTree.overview()).isEqualTo(OVERVIEW);
    }

    @Test
    void helpPrintsTheOverviewAndNoCommandIsAUsageError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(TiyiCli.run(new String[] {"help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(OVERVIEW);
        out.reset();
        assertThat(TiyiCli.run(new String[0], new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(OVERVIEW);
    }

    @Test
    void everyAdminGroupListsItsVerbs() {
        assertThat(CommandTree.admin("system")).get().isInstanceOfSatisfying(CommandNode.Group.class,
                g -> assertThat(g.verbs()).isEqualTo("status, settings list|get|update, resume-writes"));
    }
}
