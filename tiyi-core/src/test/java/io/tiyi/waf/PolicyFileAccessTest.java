package io.tiyi.waf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.waf.seclang.RuleFiles;
import io.tiyi.waf.seclang.SecLangException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Custom rules cannot read a file outside the allowed directories, and no error about a file
 * they may read repeats its text. The secret is the first line of each file, as a node's local
 * admin token is the first line of {@code local-admin.json}.
 */
class PolicyFileAccessTest {
    /** Letters only, so that no window of it can come from a path, a number or the wording of a message. */
    static final String SECRET = "QxZvKwJbYhPmRtGcDfLsNqWe";

    @TempDir
    Path tmp;

    Path allowed;
    Path state;

    @BeforeEach
    void layout() throws Exception {
        allowed = Files.createDirectories(tmp.resolve("rules"));
        state = Files.createDirectories(tmp.resolve("state"));
        Files.writeString(state.resolve("local-admin.json"), "{\"api\":\"http://127.0.0.1:1\",\"token\":\"" + SECRET + "\"}\n");
        Files.writeString(state.resolve("kek.txt"), SECRET + "\nsecond line\n");
        // Files an administrator allowed that still hold a secret on their first line.
        Files.writeString(allowed.resolve("leaky.json"), "{\"token\":\"" + SECRET + "\"}\n");
        Files.writeString(allowed.resolve("leaky.data"), SECRET + "\n");
        Files.writeString(allowed.resolve("regex.conf"), "SecRule ARGS \"@rx (" + SECRET + "\" \"id:10,phase:1,deny\"\n");
        Files.writeString(allowed.resolve("quote.conf"), "SecRule ARGS \"@rx " + SECRET + "\n");
        Files.writeString(allowed.resolve("action.conf"), "SecRule ARGS \"@rx a\" \"id:11,phase:1," + SECRET + "\"\n");
        Files.writeString(allowed.resolve("chain.conf"), "SecRule ARGS \"@rx a\" \"id:12345,phase:1,deny,chain\"\n");
        Files.createSymbolicLink(allowed.resolve("admin.json"), state.resolve("local-admin.json"));
        Files.createSymbolicLink(allowed.resolve("state"), state);
    }

    static Stream<Arguments> attacks() {
        return Stream.of(
                Arguments.of("Include of the file", "Include %STATE%/local-admin.json"),
                Arguments.of("Include via glob", "Include %STATE%/*.json"),
                Arguments.of("Include via glob of a directory", "Include %STATE%/*"),
                Arguments.of("@pmFromFile", "SecRule ARGS \"@pmFromFile %STATE%/kek.txt\" \"id:1,phase:1,deny\""),
                Arguments.of("@pmf", "SecRule ARGS \"@pmf %STATE%/kek.txt\" \"id:1,phase:1,deny\""),
                Arguments.of("@ipMatchFromFile", "SecRule REMOTE_ADDR \"@ipMatchFromFile %STATE%/kek.txt\" \"id:1,phase:1,deny\""),
                Arguments.of("@ipMatchF", "SecRule REMOTE_ADDR \"@ipMatchF %STATE%/local-admin.json\" \"id:1,phase:1,deny\""),
                Arguments.of("symlink to the file", "Include admin.json"),
                Arguments.of("symlink to its directory", "Include state/local-admin.json"),
                Arguments.of("glob over a symlink", "Include *.json"),
                Arguments.of("@pmFromFile through a symlink", "SecRule ARGS \"@pmFromFile admin.json\" \"id:1,phase:1,deny\""),
                Arguments.of("relative ../ path", "Include ../%STATE_NAME%/local-admin.json"),
                Arguments.of("@pmFromFile relative ../ path", "SecRule ARGS \"@pmFromFile ../%STATE_NAME%/kek.txt\" \"id:1,phase:1,deny\""),
                Arguments.of("allowed file that is not SecLang", "Include leaky.json"),
                Arguments.of("allowed file with a bad regex", "Include regex.conf"),
                Arguments.of("allowed file with an open quote", "Include quote.conf"),
                Arguments.of("allowed file with an unknown action", "Include action.conf"),
                Arguments.of("allowed data file that is not addresses", "SecRule REMOTE_ADDR \"@ipMatchFromFile leaky.data\" \"id:1,phase:1,deny\""),
                Arguments.of("allowed file by glob", "Include leak*.json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void noErrorRepeatsTheFile(String name, String rule) {
        String text = rule.replace("%STATE%", state.toString()).replace("%STATE_NAME%", state.getFileName().toString());
        assertThatThrownBy(() -> compile(text)).as(name).isInstanceOf(SecLangException.class)
                .satisfies(e -> assertNoPartOfTheSecret(e.getMessage()));
    }

    @Test
    void anErrorInAnAllowedFileNamesTheFileAndTheLine() {
        assertThatThrownBy(() -> compile("SecAction \"id:1,pass\"\nInclude regex.conf\n"))
                .hasMessage("regex.conf:1: SecRule on this line does not load (text from a rule file is not repeated in errors;"
                        + " open the file at this line)");
        assertThatThrownBy(() -> compile("Include leaky.json"))
                .hasMessageStartingWith("leaky.json:1: the directive on this line does not load");
        assertThatThrownBy(() -> compile("SecRule REMOTE_ADDR \"@ipMatchFromFile leaky.data\" \"id:1,phase:1,deny\""))
                .hasMessage("custom rules:1: @ipMatchFromFile: leaky.data line 1 is not an IP address or CIDR range");
        assertThatThrownBy(() -> compile("Include chain.conf"))
                .hasMessage("chain.conf:1: the rule on this line ends with 'chain' but no rule follows it");
    }

    @Test
    void textTheCallerTypedIsStillQuoted() {
        assertThatThrownBy(() -> compile("SecRule ARGS \"@rx a\" \"id:1,phase:1,frobnicate\""))
                .hasMessage("custom rules:1: unknown action 'frobnicate'");
        assertThatThrownBy(() -> compile("Include " + state + "/local-admin.json"))
                .hasMessage("custom rules:1: Include: '" + state + "/local-admin.json' is not a file inside the allowed rule directories"
                        + " (the CRS rules directory and waf.rules_dirs)");
    }

    @Test
    void rulesAndDataInsideTheAllowedDirectoriesLoad() throws Exception {
        Files.writeString(allowed.resolve("bad-bots.data"), "# scanners\nsqlmap\n");
        Files.writeString(allowed.resolve("blocked.data"), "203.0.113.0/24\n");
        Files.createDirectories(allowed.resolve("site"));
        Files.writeString(allowed.resolve("site/one.conf"), "SecRule REQUEST_HEADERS:User-Agent \"@pmFromFile ../bad-bots.data\""
                + " \"id:21,phase:1,deny,status:403\"\n");
        Files.writeString(allowed.resolve("site/two.conf"), "SecRule REMOTE_ADDR \"@ipMatchF ../blocked.data\" \"id:22,phase:1,deny,status:403\"\n");
        TiyiWaf waf = TiyiWaf.builder().mode(WafMode.BLOCK).seclang("Include site/*.conf\n", "custom rules", RuleFiles.within(List.of(allowed)))
                .build();
        assertThat(waf.hasRule(21)).isTrue();
        assertThat(waf.hasRule(22)).isTrue();

        Transaction bot = waf.newTransaction();
        bot.processConnection("198.51.100.7", 1, "127.0.0.1", 80);
        bot.processUri("/", "GET", "HTTP/1.1");
        bot.addRequestHeader("User-Agent", "sqlmap/1.7");
        assertThat(bot.processRequestHeaders()).hasValueSatisfying(i -> assertThat(i.status()).isEqualTo(403));

        Transaction blocked = waf.newTransaction();
        blocked.processConnection("203.0.113.9", 1, "127.0.0.1", 80);
        blocked.processUri("/", "GET", "HTTP/1.1");
        assertThat(blocked.processRequestHeaders()).hasValueSatisfying(i -> assertThat(i.ruleId()).isEqualTo(22));
    }

    @Test
    void thePolicyTextAroundTheRulesReadsNoFile() {
        // Exclusions are written as SecLang around the rule set; that text may name no file at all.
        assertThatThrownBy(() -> io.tiyi.waf.seclang.SecLangParser.parse("Include " + state + "/local-admin.json", "<policy>", RuleFiles.none()))
                .hasMessageContaining("none: no CRS in use and waf.rules_dirs is empty").satisfies(e -> assertNoPartOfTheSecret(e.getMessage()));
    }

    private TiyiWaf compile(String text) {
        return TiyiWaf.builder().seclang(text, "custom rules", RuleFiles.within(List.of(allowed))).build();
    }

    /** No five characters in a row of the secret: enough to rule out any quoting, short enough to catch a cut-off one. */
    static void assertNoPartOfTheSecret(String message) {
        for (int i = 0; i + 5 <= SECRET.length(); i++) {
            assertThat(message).as("error message").doesNotContain(SECRET.substring(i, i + 5));
        }
    }
}
