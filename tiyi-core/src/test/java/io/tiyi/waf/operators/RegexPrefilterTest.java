package io.tiyi.waf.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RegexPrefilterTest {
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "(?i)union\\s+select ; select",
        "(?i)(?:abc|def)ghi ; abcghi,defghi",
        "\\bjavascript: ; javascript:",
        "on(?:load|error)\\s*= ; onload,onerror",
        "[Ss]elect ; select",
        "a\\x2Fb ; a/b",
        "\\Q<?\\E ; <?",
        "(?=foo)bar ; bar"
    })
    void derivesRequiredLiterals(String regex, String literals) {
        RegexPrefilter p = RegexPrefilter.of(regex);
        assertThat(p).isNotNull();
        assertThat(p.literals()).containsExactlyInAnyOrderElementsOf(List.of(literals.split(",")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"^\\d+$", "a*", ".", "(?:abc)?", "abc|\\w+", "(a)\\1", "(?u)(?i)k", "(?x)a b", "[^abc]+", "x{0,3}"})
    void givesNoneWhenNothingIsRequired(String regex) {
        assertThat(RegexPrefilter.of(regex)).isNull();
    }

    @Test
    void neverRejectsWhatThePatternMatches() {
        String[] regexes = {"(?i)union\\s+select", "(?i)(?:abc|def)ghi", "[Ss]elect|<script", "(?i)on(?:load|error)\\s*=", "a+b{2,3}c?d",
            "(?i:AB)[c-e]f", "\\x41\\u0042"};
        String[] inputs = {"1 UNION  SELECT 2", "xDEFGHIy", "SeLeCt", "<SCRIPT>", "body onLoad = x", "aaabbbd", "abEf", "ABd", "AB", "ab",
            "nothing here"};
        for (String re : regexes) {
            RegexPrefilter p = RegexPrefilter.of(re);
            Pattern pattern = Pattern.compile(re, Pattern.DOTALL);
            for (String in : inputs) {
                if (pattern.matcher(in).find()) {
                    assertThat(p == null || p.mayMatch(in)).as(re + " on " + in).isTrue();
                }
            }
        }
        assertThat(RegexPrefilter.of("(?i)union\\s+select").mayMatch("id=42&sort=price")).isFalse();
    }

    @Test
    void rxSkipsValuesWithoutTheLiterals() {
        Rx rx = new Rx("(?i)union\\s+select");
        assertThat(rx.evaluate(new RxTest.Ctx(), "1 union select 2")).isTrue();
        assertThat(rx.evaluate(new RxTest.Ctx(), "price")).isFalse();
    }
}
