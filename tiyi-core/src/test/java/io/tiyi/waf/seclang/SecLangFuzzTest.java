package io.tiyi.waf.seclang;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tiyi.testsupport.Fuzzing;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the SecLang parser ({@link SecLangParser}) and the compiler behind
 * {@code TiyiWaf.builder().seclang(text).build()}, then runs one small request through what
 * compiled. Rule text comes from operators and site policies ({@code custom_rules}), so a typo
 * must give an error that names the line, never take the control plane down.
 *
 * <p>Contract: parsing and compiling either succeed or throw {@link SecLangException}; a rule set
 * that compiled evaluates a request without throwing (rule errors are recorded, not thrown). Any
 * other exception (NPE, IndexOutOfBounds, NumberFormatException, StackOverflowError...), or an
 * input taking longer than the timeout, is a bug.
 *
 * <p>Input: the rule text, as ISO-8859-1 bytes, as rule files are read. Includes and data files
 * resolve in a scratch directory holding {@code a.conf}, {@code b.conf} and {@code words.data};
 * text that names a path with a {@code /} in an Include or {@code @pmFromFile} is skipped, so that
 * the fuzzer never reads the machine's files.
 */
class SecLangFuzzTest {
    private static final Path DIR = scratch();

    private static Path scratch() {
        try {
            Path d = Files.createTempDirectory("tiyi-seclang-fuzz");
            Files.writeString(d.resolve("a.conf"), "SecRule ARGS \"@contains x\" \"id:900001,phase:2,pass,log\"\n");
            Files.writeString(d.resolve("b.conf"), "SecAction \"id:900002,phase:1,nolog,pass,setvar:tx.b=1\"\n");
            Files.writeString(d.resolve("words.data"), "# phrases\nselect\nunion\n");
            d.toFile().deleteOnExit();
            d.resolve("a.conf").toFile().deleteOnExit();
            d.resolve("b.conf").toFile().deleteOnExit();
            d.resolve("words.data").toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    @Timeout(value = Fuzzing.TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"SecRule ", "SecAction ", "SecMarker ", "SecRuleEngine On", "SecDefaultAction ", "SecRuleRemoveById ",
            "SecRuleUpdateTargetById ", "SecRequestBodyLimit ", "SecArgumentSeparator ", "Include ", "\"id:1,", "phase:2,", "deny,",
            "chain", "t:lowercase,", "t:urlDecodeUni", "setvar:tx.a=+1", "%{tx.a}", "ctl:ruleRemoveById=", "skipAfter:", "@rx ",
            "@pm ", "@pmFromFile words.data", "@ipMatch ", "@eq ", "@within ", "@detectSQLi", "ARGS|", "!ARGS:", "&TX", "REQUEST_HEADERS:",
            "XML:/*", "\\\"", "'", "msg:'"})
    void parseAndCompile(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        String lower = text.toLowerCase(Locale.ROOT);
        if ((lower.contains("include") || lower.contains("pmf")) && (text.indexOf('/') >= 0 || text.indexOf('\\') >= 0)) {
            return;
        }
        TiyiWaf waf;
        try {
            SecLangParser.parse(text, "<fuzz>", DIR);
            waf = TiyiWaf.builder().seclang(text, "<fuzz>", DIR).build();
        } catch (SecLangException expected) {
            return;
        }
        Transaction tx = waf.newTransaction("fuzz");
        tx.processConnection("203.0.113.7", 40000, "127.0.0.1", 80);
        tx.processUri("/a/b.php?x=1&q=union+select", "POST", "HTTP/1.1");
        tx.addRequestHeader("Host", "example.test");
        tx.addRequestHeader("Content-Type", "application/x-www-form-urlencoded");
        tx.addRequestHeader("Cookie", "s=1");
        if (tx.processRequestHeaders().isEmpty()) {
            tx.appendRequestBody("a=1&b=%27or%201=1".getBytes(StandardCharsets.ISO_8859_1));
            tx.processRequestBody();
            tx.addResponseHeader("Content-Type", "text/html");
            tx.processResponseHeaders(200, "HTTP/1.1");
            tx.processResponseBody();
        }
        tx.processLogging();
    }
}
