package io.tiyi.waf.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
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
        int runs;
        long steps;

        @Override
        public void countRegex(boolean matcherRan) {
            runs += matcherRan ? 1 : 0;
        }

        @Override
        public void chargeRegexSteps(long n) {
            steps += n;
        }

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

    /** Runs {@code rx} on {@code value} and says whether the matcher ran. */
    private static boolean ran(Rx rx, String value, boolean expected) {
        Ctx ctx = new Ctx();
        assertThat(rx.evaluate(ctx, value)).as(value).isEqualTo(expected);
        return ctx.runs == 1;
    }

    @Test
    void aCostlyMissIsRememberedAndACheapOneIsNot() {
        Rx rx = new Rx("\\w*\\d", false);
        String costly = "x".repeat(60);
        Ctx first = new Ctx();
        assertThat(rx.evaluate(first, costly)).isFalse();
        assertThat(first.steps).isGreaterThanOrEqualTo(Rx.COSTLY_STEPS);
        assertThat(ran(rx, costly, false)).as("the same value again").isFalse();
        assertThat(ran(rx, new String(costly.toCharArray()), false)).as("an equal value").isFalse();
        assertThat(ran(rx, costly + "y", false)).as("another value").isTrue();
        assertThat(ran(rx, "ab", false)).isTrue();
        assertThat(ran(rx, "ab", false)).as("a cheap miss runs every time").isTrue();
        assertThat(ran(rx, costly + "1", true)).isTrue();
        assertThat(ran(rx, costly + "1", true)).as("a match is never remembered").isTrue();
    }

    @Test
    void aValueSharingARememberedOnesSlotIsStillMatched() {
        // "Aa" and "BB" have the same String hash, so these land in the same slot.
        String tail = "x".repeat(60);
        assertThat(("Aa" + tail).hashCode()).isEqualTo(("BB" + tail).hashCode());
        Rx rx = new Rx("\\w*\\d|BB", false);
        assertThat(ran(rx, "Aa" + tail, false)).isTrue();
        assertThat(ran(rx, "Aa" + tail, false)).isFalse();
        assertThat(ran(rx, "BB" + tail, true)).isTrue();
    }

    @Test
    void everyMissOfALongPatternIsRemembered() {
        StringBuilder re = new StringBuilder("\\w*\\d");
        for (int i = 0; re.length() < Rx.COSTLY_PATTERN; i++) {
            re.append("|q").append(i).append('q');
        }
        Rx rx = new Rx(re.toString(), false);
        assertThat(ran(rx, "ab", false)).isTrue();
        assertThat(ran(rx, "ab", false)).as("a cheap miss of a long pattern").isFalse();
        assertThat(ran(rx, "q7q", true)).isTrue();
        assertThat(ran(rx, "q7q", true)).isTrue();
    }

    @Test
    void longValuesAreNotRemembered() {
        Rx rx = new Rx("\\w*\\d", false);
        String v = "x".repeat(Rx.MISS_MAX_LENGTH + 1);
        assertThat(ran(rx, v, false)).isTrue();
        assertThat(ran(rx, v, false)).isTrue();
    }
}
