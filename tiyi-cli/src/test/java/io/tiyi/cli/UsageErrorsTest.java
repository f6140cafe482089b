package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A wrong command line reads as one sentence naming the option and the command, never as
 * JCommander's internals, for admin commands, groups and the daemon roles alike; nothing runs.
 */
class UsageErrorsTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TiyiCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of(), false);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            # an admin command
            backup create --bogus                       | unknown option --bogus for 'tiyi backup create'; see --help
            backup create --out x --bogus y             | unknown option --bogus for 'tiyi backup create'; see --help
            waf set --site a --bogus                    | unknown option --bogus for 'tiyi waf set'; see --help
            waf set                                     | the option --site is required for 'tiyi waf set'; see --help
            certs import --name n                       | the options --cert and --key are required for 'tiyi certs import'; see --help
            events list --limit x                       | --limit takes a whole number, not 'x', for 'tiyi events list'; see --help
            events list --limit 99999999999             | --limit takes a whole number from -2147483648 to 2147483647, not '99999999999', for 'tiyi events list'; see --help
            waf exclude --site a --rule 9x              | --rule takes a whole number, not '9x', for 'tiyi waf exclude'; see --help
            waf conformance --crs a --tests b --min-pass-rate most | --min-pass-rate takes a number, not 'most', for 'tiyi waf conformance'; see --help
            events list --limit                         | --limit needs a value for 'tiyi events list'; see --help
            events list --limit --site a                | --limit needs a value for 'tiyi events list'; see --help
            waf set --site a --strict-bodies maybe      | --strict-bodies takes true or false, not 'maybe', for 'tiyi waf set'; see --help
            waf set --site a --strict-bodies            | --strict-bodies needs a value for 'tiyi waf set'; see --help
            waf set --site a --site b                   | --site is given twice for 'tiyi waf set'; see --help
            waf set --site=a                            | unknown option --site=a (the value goes after a space: --site a) for 'tiyi waf set'; see --help
            waf set stray --site a                      | unexpected argument 'stray' for 'tiyi waf set'; see --help
            # commands with arguments of their own still know an option from an argument
            backup verify --bogus                       | unknown option --bogus for 'tiyi backup verify'; see --help
            release apply 3.0.0 --bogus                 | unknown option --bogus for 'tiyi release apply'; see --help
            # a group, and a group of a group
            backup --bogus                              | unknown option --bogus for 'tiyi backup'; see --help
            backup --bogus create                       | unknown option --bogus for 'tiyi backup'; see --help
            backup frobnicate                           | unknown command 'frobnicate' for 'tiyi backup'; see --help
            backup --api                                | --api needs a value for 'tiyi backup'; see --help
            system settings --bogus                     | unknown option --bogus for 'tiyi system settings'; see --help
            system settings get                         | the option --key is required for 'tiyi system settings get'; see --help
            alerts rules list --bogus                   | unknown option --bogus for 'tiyi alerts rules list'; see --help
            # the top level
            --bogus                                     | unknown option --bogus for 'tiyi'; see --help
            frobnicate                                  | unknown command 'frobnicate' for 'tiyi'; see --help
            # the daemon roles, whose launchers parse their own flags
            server --bogus                              | unknown option --bogus for 'tiyi server'; see --help
            server --addr                               | --addr needs a value for 'tiyi server'; see --help
            server --state-dir --addr 127.0.0.1:1       | --state-dir needs a value for 'tiyi server'; see --help
            server --addr nope                          | --addr takes host:port, such as 127.0.0.1:8080 or [::1]:8080 with a port from 0 to 65535, not 'nope', for 'tiyi server'; see --help
            server --http-addr 127.0.0.1:99999          | --http-addr takes host:port, such as 127.0.0.1:8080 or [::1]:8080 with a port from 0 to 65535, not '127.0.0.1:99999', for 'tiyi server'; see --help
            server --addr 127.0.0.1:1 --addr 127.0.0.1:2 | --addr is given twice for 'tiyi server'; see --help
            server stray                                | unexpected argument 'stray' for 'tiyi server'; see --help
            secondary --bogus                           | unknown option --bogus for 'tiyi secondary'; see --help
            secondary --primary-api                     | --primary-api needs a value for 'tiyi secondary'; see --help
            agent --bogus                               | unknown option --bogus for 'tiyi agent'; see --help
            agent --enrollment-token                    | --enrollment-token needs a value for 'tiyi agent'; see --help
            agent --addr localhost                      | --addr takes host:port, such as 127.0.0.1:8080 or [::1]:8080 with a port from 0 to 65535, not 'localhost', for 'tiyi agent'; see --help
            """)
    void oneSentenceOnStandardErrorAndExit2(String line, String message) {
        Run r = run(line.trim().split("\\s+"));
        assertThat(r.err()).isEqualTo("ERROR " + message + System.lineSeparator());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).doesNotContain("main parameter", "arg class", "Expected a", "couldn't convert", "The following");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            waf set --help                              | Usage: tiyi waf set
            waf set --site=a --help                     |
            certs import --help                         | Usage: tiyi certs import
            backup --help                               | Usage: tiyi backup <command>
            system --help settings get                  | Usage: tiyi system settings get
            server --help                               | Runs a primary control-plane node.
            agent --help                                | Runs an agent
            """)
    void helpNeedsNoRequiredOption(String line, String usage) {
        Run r = run(line.trim().split("\\s+"));
        if (usage == null) {
            // An unknown option is still one, with --help or not.
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).startsWith("ERROR unknown option --site=a");
            return;
        }
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(usage).contains("--help");
        assertThat(r.err()).isEmpty();
    }
}
