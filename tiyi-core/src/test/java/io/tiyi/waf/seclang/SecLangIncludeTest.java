package io.tiyi.waf.seclang;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.waf.TiyiWaf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Include arguments that are not a usable path or glob are rule errors naming the line, never another exception. */
class SecLangIncludeTest {
    @Test
    void aBareGlobInTextWithoutABaseDirectoryListsTheWorkingDirectory() {
        // Was a NullPointerException: the glob has no parent directory to list.
        assertThat(SecLangParser.parse("Include *.no-such-extension-tiyi\n", "<inline>", (Path) null)).isEmpty();
        assertThat(TiyiWaf.builder().seclang("Include *.no-such-extension-tiyi\nSecAction \"id:1,pass\"\n").build().ruleCount()).isOne();
    }

    @Test
    void aPathWithANulCharacterIsARuleError() {
        // Was an InvalidPathException out of SecLangParser.parse.
        assertThatThrownBy(() -> SecLangParser.parse("Include a\u0000b\n", "<inline>", (Path) null)).isInstanceOf(SecLangException.class)
                .hasMessageContaining("<inline>:1").hasMessageContaining("invalid path");
    }

    @Test
    void anUnclosedGlobIsARuleError(@TempDir Path dir) {
        // Was a PatternSyntaxException from the glob matcher.
        assertThatThrownBy(() -> SecLangParser.parse("\nInclude [a*\n", "r.conf", dir)).isInstanceOf(SecLangException.class)
                .hasMessageContaining("r.conf:2").hasMessageContaining("invalid glob");
        assertThatThrownBy(() -> SecLangParser.parse("Include {a,b*\n", "r.conf", dir)).isInstanceOf(SecLangException.class);
    }

    @Test
    void aGlobInTheBaseDirectoryStillIncludesItsFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), "SecAction \"id:7,pass\"\n");
        assertThat(SecLangParser.parse("Include *.conf\n", "main.conf", dir)).extracting(Directive::name).containsExactly("SecAction");
    }
}
