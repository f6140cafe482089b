package io.tiyi.waf.seclang;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths in untrusted rules resolve only inside the allowed directories, and a refusal says nothing about files outside them. */
class RuleFilesTest {
    @TempDir
    Path tmp;

    Path rules;
    Path extra;
    Path outside;
    RuleFiles files;

    @BeforeEach
    void layout() throws Exception {
        rules = Files.createDirectories(tmp.resolve("crs/rules"));
        extra = Files.createDirectories(tmp.resolve("site-rules"));
        outside = Files.createDirectories(tmp.resolve("state"));
        Files.writeString(rules.resolve("restricted-files.data"), ".htaccess\n");
        Files.writeString(extra.resolve("site.conf"), "SecAction \"id:1,pass\"\n");
        Files.createDirectories(extra.resolve("more"));
        Files.writeString(extra.resolve("more/a.conf"), "SecAction \"id:2,pass\"\n");
        Files.writeString(extra.resolve("more/b.conf"), "SecAction \"id:3,pass\"\n");
        Files.writeString(outside.resolve("local-admin.json"), "{\"token\":\"x\"}\n");
        files = RuleFiles.within(List.of(rules, extra));
    }

    @Test
    void aRelativePathIsLookedUpInEachAllowedDirectoryInOrder() throws Exception {
        assertThat(files.file("restricted-files.data", "@pmFromFile", "<t>:1")).isEqualTo(rules.resolve("restricted-files.data").toRealPath());
        assertThat(files.file("site.conf", "Include", "<t>:1")).isEqualTo(extra.resolve("site.conf").toRealPath());
        assertThat(files.file(extra.resolve("more/a.conf").toString(), "Include", "<t>:1")).isEqualTo(extra.resolve("more/a.conf").toRealPath());
    }

    @Test
    void aGlobExpandsInsideAnAllowedDirectory() throws Exception {
        assertThat(files.glob("more/*.conf", "Include", "<t>:1")).containsExactly(extra.resolve("more/a.conf").toRealPath(),
                extra.resolve("more/b.conf").toRealPath());
        assertThat(files.glob("more/*.none", "Include", "<t>:1")).isEmpty();
    }

    @Test
    void pathsOutsideTheAllowedDirectoriesAreRefused() throws Exception {
        Path secret = outside.resolve("local-admin.json");
        for (String p : List.of(secret.toString(), "../../state/local-admin.json", "../state/local-admin.json",
                rules + "/../../state/local-admin.json", "/etc/passwd")) {
            assertThatThrownBy(() -> files.file(p, "@pmFromFile", "<t>:1")).as(p).isInstanceOf(SecLangException.class)
                    .hasMessageContaining("is not a file inside the allowed rule directories");
            assertThatThrownBy(() -> files.glob(p, "Include", "<t>:1")).as(p).isInstanceOf(SecLangException.class)
                    .hasMessageContaining("is not a file inside the allowed rule directories");
        }
        assertThatThrownBy(() -> files.glob(outside + "/*.json", "Include", "<t>:1")).isInstanceOf(SecLangException.class)
                .hasMessageContaining("is not a file inside the allowed rule directories");
    }

    @Test
    void aLinkOutOfAnAllowedDirectoryIsRefused() throws Exception {
        Files.createSymbolicLink(extra.resolve("admin.conf"), outside.resolve("local-admin.json"));
        Files.createSymbolicLink(extra.resolve("state"), outside);
        assertThatThrownBy(() -> files.file("admin.conf", "Include", "<t>:1")).hasMessageContaining("is not a file inside");
        assertThatThrownBy(() -> files.file("state/local-admin.json", "Include", "<t>:1")).hasMessageContaining("is not a file inside");
        assertThatThrownBy(() -> files.glob("state/*.json", "Include", "<t>:1")).hasMessageContaining("is not a file inside");
        assertThatThrownBy(() -> files.glob("*.conf", "Include", "<t>:1")).isInstanceOf(SecLangException.class)
                .hasMessageContaining("admin.conf is a link that does not lead to a file inside the allowed rule directories");
    }

    @Test
    void aLinkThatStaysInsideIsFollowed() throws Exception {
        Files.createSymbolicLink(extra.resolve("crs-data"), rules.resolve("restricted-files.data"));
        assertThat(files.file("crs-data", "@pmFromFile", "<t>:1")).isEqualTo(rules.resolve("restricted-files.data").toRealPath());
    }

    @Test
    void aRefusalReadsTheSameWhetherTheFileExistsOrNot() throws Exception {
        String present = outside.resolve("local-admin.json").toString();
        String before = message(() -> files.file(present, "@pmFromFile", "<t>:1"));
        Files.delete(outside.resolve("local-admin.json"));
        assertThat(message(() -> files.file(present, "@pmFromFile", "<t>:1"))).isEqualTo(before);

        Files.createSymbolicLink(extra.resolve("gone.conf"), outside.resolve("local-admin.json"));
        String dangling = message(() -> files.file("gone.conf", "Include", "<t>:1"));
        Files.writeString(outside.resolve("local-admin.json"), "{}\n");
        assertThat(message(() -> files.file("gone.conf", "Include", "<t>:1"))).isEqualTo(dangling);
        assertThat(message(() -> files.file("missing.conf", "Include", "<t>:1")))
                .isEqualTo(dangling.replace("gone.conf", "missing.conf"));
    }

    @Test
    void noneRefusesEveryFileAndSaysSo() {
        assertThatThrownBy(() -> RuleFiles.none().file("restricted-files.data", "@pmFromFile", "<t>:1"))
                .hasMessageContaining("none: no CRS in use and waf.rules_dirs is empty");
    }

    @Test
    void textFromAnAllowedFileIsNotQuotedAndItsFilesAreNamedRelativeToTheirDirectory() throws Exception {
        RuleFiles inFile = files.in(extra.resolve("more/a.conf").toRealPath());
        assertThat(files.quotesText()).isTrue();
        assertThat(inFile.quotesText()).isFalse();
        assertThat(files.label(extra.resolve("more/a.conf").toRealPath())).isEqualTo("more/a.conf");
        assertThatThrownBy(() -> inFile.file("../../state/local-admin.json", "Include", "more/a.conf:1"))
                .hasMessage("more/a.conf:1: Include: the path on this line is not a file inside the allowed rule directories"
                        + " (the CRS rules directory and waf.rules_dirs)")
                .isInstanceOfSatisfying(SecLangException.class, e -> assertThat(e.quotesText()).isFalse());
        assertThat(inFile.file("b.conf", "Include", "more/a.conf:1")).as("relative to the including file")
                .isEqualTo(extra.resolve("more/b.conf").toRealPath());
    }

    @Test
    void theRootDirectoryAndMissingDirectoriesAllowNothing() {
        RuleFiles r = RuleFiles.within(List.of(Path.of("/"), tmp.resolve("no-such-dir")));
        assertThat(r.allowedDirectories()).isEmpty();
        assertThatThrownBy(() -> r.file("/etc/passwd", "Include", "<t>:1")).hasMessageContaining("is not a file inside");
    }

    @Test
    void anywhereKeepsReadingTrustedPaths() throws Exception {
        RuleFiles any = RuleFiles.anywhere(extra);
        assertThat(any.restricted()).isFalse();
        assertThat(any.glob("site.conf", "Include", "<t>:1")).containsExactly(extra.resolve("site.conf"));
        assertThat(any.glob(outside.resolve("local-admin.json").toString(), "Include", "<t>:1")).hasSize(1);
    }

    private static String message(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
        try {
            c.call();
        } catch (Throwable t) {
            return t.getMessage();
        }
        throw new AssertionError("expected a refusal");
    }
}
