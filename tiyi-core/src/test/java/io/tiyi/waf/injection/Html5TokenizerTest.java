package io.tiyi.waf.injection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer in the attribute-value contexts (libinjection's own vectors only cover the data state) and its
 * deliberate quirks. Expected token streams are libinjection's output for the same input.
 */
class Html5TokenizerTest {

    private static List<String> tokens(String input, Html5Context context) {
        List<String> tokens = new ArrayList<>();
        Html5Tokenizer tokenizer = new Html5Tokenizer(input, context);
        while (tokenizer.next()) {
            tokens.add(tokenizer.tokenType() + "," + tokenizer.tokenText());
        }
        return tokens;
    }

    @Test
    void breakingOutOfASingleQuotedValue() {
        String input = "'><script>alert(1)</script>";
        assertThat(tokens(input, Html5Context.VALUE_SINGLE_QUOTE)).containsExactly(
                "ATTR_VALUE,", "TAG_NAME_CLOSE,>", "TAG_NAME_OPEN,script", "TAG_NAME_CLOSE,>", "DATA_TEXT,alert(1)",
                "TAG_CLOSE,script");
        assertThat(tokens(input, Html5Context.VALUE_DOUBLE_QUOTE)).containsExactly("ATTR_VALUE," + input);
        assertThat(tokens(input, Html5Context.VALUE_NO_QUOTE)).containsExactly(
                "ATTR_NAME,'", "TAG_NAME_CLOSE,>", "TAG_NAME_OPEN,script", "TAG_NAME_CLOSE,>", "DATA_TEXT,alert(1)",
                "TAG_CLOSE,script");
    }

    @Test
    void addingAnAttributeFromADoubleQuotedValue() {
        assertThat(tokens("\" onload=\"x", Html5Context.VALUE_DOUBLE_QUOTE))
                .containsExactly("ATTR_VALUE,", "ATTR_NAME,onload", "ATTR_VALUE,x");
        assertThat(tokens("x onerror=alert(1)>", Html5Context.VALUE_NO_QUOTE))
                .containsExactly("ATTR_NAME,x", "ATTR_NAME,onerror", "ATTR_VALUE,alert(1)", "TAG_NAME_CLOSE,>");
        assertThat(tokens("`><b>", Html5Context.VALUE_BACK_QUOTE))
                .containsExactly("ATTR_VALUE,", "TAG_NAME_CLOSE,>", "TAG_NAME_OPEN,b", "TAG_NAME_CLOSE,>");
    }

    @Test
    void emptyInputIsOneEmptyValueInsideQuotesAndNothingElsewhere() {
        assertThat(tokens("", Html5Context.DATA_STATE)).isEmpty();
        assertThat(tokens("", Html5Context.VALUE_NO_QUOTE)).isEmpty();
        assertThat(tokens("", Html5Context.VALUE_SINGLE_QUOTE)).containsExactly("ATTR_VALUE,");
    }

    @Test
    void nulIsSkippedInTagNamesButEndsAttributeNames() {
        assertThat(tokens("<a\0b c\0d=e>", Html5Context.DATA_STATE)).containsExactly(
                "TAG_NAME_OPEN,a\0b", "ATTR_NAME,c", "ATTR_NAME,d", "ATTR_VALUE,e", "TAG_NAME_CLOSE,>");
    }

    @Test
    void anEndTagWithBlanksLeavesTheNextTagAnEndTag() {
        assertThat(tokens("</a ><b>", Html5Context.DATA_STATE))
                .containsExactly("TAG_NAME_OPEN,a", "TAG_NAME_CLOSE,>", "TAG_CLOSE,b");
    }

    @Test
    void resetStartsOverInAnotherContext() {
        Html5Tokenizer tokenizer = new Html5Tokenizer("a'b", Html5Context.DATA_STATE);
        assertThat(tokenizer.next()).isTrue();
        assertThat(tokenizer.tokenText()).isEqualTo("a'b");
        tokenizer.reset(Html5Context.VALUE_SINGLE_QUOTE);
        assertThat(tokenizer.next()).isTrue();
        assertThat(tokenizer.tokenType()).isEqualTo(Html5TokenType.ATTR_VALUE);
        assertThat(tokenizer.tokenText()).isEqualTo("a");
    }

    @Test
    void longRunsOfSlashesInATagDoNotRecurse() {
        String input = "<a" + "/".repeat(1_000_000) + "b>";
        assertThat(tokens(input, Html5Context.DATA_STATE))
                .containsExactly("TAG_NAME_OPEN,a", "ATTR_NAME,b", "TAG_NAME_CLOSE,>");
        assertThat(tokens("/".repeat(1_000_000), Html5Context.VALUE_NO_QUOTE)).isEmpty();
    }
}
