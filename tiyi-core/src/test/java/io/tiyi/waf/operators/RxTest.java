package io.tiyi.waf.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RxTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "(ab)c | (?:ab)c",
        "(?i)(?:x)(y) | (?i)(?:x)(?:y)",
        "\\(a\\) | \\(a\\)",
        "[(](z) | [(](?:z)",
        "(?<name>q)(r) | (?<name>q)(?:r)",
        "(a)\\1 | (a)\\1",
        "\\Q(a)\\E(b) | \\Q(a)\\E(?:b)",
        "[](](z) | [](](?:z)",
        "[^](](z) | [^](](?:z)"
    })
    void dropsOnlyPlainCapturingGroups(String in, String out) {
        assertThat(Rx.withoutCaptures(in)).isEqualTo(out);
    }

    static final class Ctx implements MatchContext {
        final Map<Integer, String> captured = new HashMap<>();

        @Override
        public String expand(String text) {
            return text;
        }

        @Override
        public boolean capturing() {
            return true;
        }

        @Override
        public void capture(int index, String value) {
            captured.put(index, value);
        }

        @Override
        public void error(String message) {
            throw new AssertionError(message);
        }
    }

    @ParameterizedTest
    @CsvSource({"id=(\\d+)-(\\d+), x id=12-34 y, 12, 34"})
    void capturingKeepsGroupsAndMatchesLikeTheOriginal(String re, String input, String g1, String g2) {
        Ctx ctx = new Ctx();
        assertThat(new Rx(re, true).evaluate(ctx, input)).isTrue();
        assertThat(ctx.captured).containsEntry(1, g1).containsEntry(2, g2);
        assertThat(new Rx(re, false).evaluate(new Ctx(), input)).isTrue();
        assertThat(new Rx(re, false).evaluate(new Ctx(), "nothing")).isFalse();
    }
}
