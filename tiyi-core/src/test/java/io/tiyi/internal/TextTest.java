package io.tiyi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextTest {
    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0x9b, 0x9f, 0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202e,
            0x2066, 0x2069})
    void refusesTheCharacterNamingFieldCodeAndPosition(int c) {
        String v = "ab" + (char) c + "cd";
        assertThat(Text.isPlain(v)).isFalse();
        assertThatThrownBy(() -> Text.requirePlain("path_prefix", v)).isInstanceOfSatisfying(TiyiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).matches("path_prefix contains a (control character|line separator|bidirectional control character) \\(U\\+"
                    + String.format("%04X", c) + "\\) at position 3");
        });
    }

    @Test
    void letsPrintableTextThroughUnchanged() {
        String v = "/ünïcode/東京/emoji-\uD83D\uDE00/ok ~!@#$%^&*()";
        assertThat(Text.isPlain(v)).isTrue();
        assertThat(Text.requirePlain("f", v)).isSameAs(v);
        assertThat(Text.requirePlain("f", (String) null)).isNull();
        assertThat(Text.escape(v)).isSameAs(v);
    }

    @Test
    void namesTheElementOfAList() {
        assertThatThrownBy(() -> Text.requirePlain("hosts", List.of("a.example.com", "b.example.com\n")))
                .hasMessage("hosts[1] contains a control character (U+000A) at position 14");
    }

    @Test
    void escapesWhatItRefuses() {
        assertThat(Text.escape("a\r\n\tb\u001b[31m\u0000\u007f\u009b\u202ez")).isEqualTo("a\\r\\n\\tb\\e[31m\\x00\\x7f\\x9b\\u202ez");
        assertThat(Text.escape(null)).isEqualTo("null");
    }
}
