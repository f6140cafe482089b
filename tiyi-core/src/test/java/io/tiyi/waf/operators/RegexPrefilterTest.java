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
        "(?=foo)bar ; bar",
        "\\x{bc}[^>\\x{be}]*[>\\x{be}]|<[^\\x{be}]*\\x{be} ; \u00bc,<",
        "(?i)caf\u00e9 ; caf\u00e9",
        "[\\x{bc}\\x{be}]x ; \u00bcx,\u00bex",
        "(?:^|[/\\x5c])\\.{2,3}[/\\x5c] ; ..",
        "(?:ab){2}c ; ababc",
        "x(?:a|b){2} ; xaa,xab,xba,xbb",
        "^\\(\\s*\\)\\s+\\{ ; {"
    })
    void derivesRequiredLiterals(String regex, String literals) {
        RegexPrefilter p = RegexPrefilter.of(regex);
        assertThat(p).isNotNull();
        assertThat(p.literals()).containsExactlyInAnyOrderElementsOf(List.of(literals.split(",")));
    }

    @Test
    void aSupplementaryCharacterGivesNoPrefilter() {
        assertThat(RegexPrefilter.of("\\x{1F600}abc")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"^\\d+$", "a*", ".", "(?:abc)?", "abc|\\w+", "(a)\\1", "(?u)(?i)k", "(?x)a b", "[^abc]+", "x{0,3}"})
    void givesNoneWhenNothingIsRequired(String regex) {
        assertThat(RegexPrefilter.of(regex)).isNull();
    }

    @Test
    void neverRejectsWhatThePatternMatches() {
        String[] regexes = {"(?i)union\\s+select", "(?i)(?:abc|def)ghi", "[Ss]elect|<script", "(?i)on(?:load|error)\\s*=", "a+b{2,3}c?d",
            "(?i:AB)[c-e]f", "\\x41\\u0042", "\\x{bc}[^>\\x{be}]*[>\\x{be}]|<[^\\x{be}]*\\x{be}", "(?i)caf\u00e9", "(?i)[\\x{e0}-\\x{e9}]t\u00e9",
            "(?:^|[/;\\x5c])\\.{2,3}[/;\\x5c]", "(?:ab){2,}c", "a{3}"};
        String[] inputs = {"1 UNION  SELECT 2", "xDEFGHIy", "SeLeCt", "<SCRIPT>", "body onLoad = x", "aaabbbd", "abEf", "ABd", "AB", "ab",
            "nothing here", "\u00bcscript\u00be", "<a\u00be", "CAF\u00c9", "Caf\u00e9", "\u00e9t\u00e9", "\u00c9T\u00e9", "../etc", "x/.../", "ABABABc", "aaaa", "aa"};
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
    void aLiteralIsFoundWhateverTheAsciiCaseOfTheValue() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(34);
        String alphabet = "aAeEsSlL<>/; \u00e9\u00c9\u212a";
        for (int t = 0; t < 50_000; t++) {
            StringBuilder v = new StringBuilder();
            for (int i = r.nextInt(24); i > 0; i--) {
                v.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            StringBuilder lit = new StringBuilder();
            for (int i = 1 + r.nextInt(3); i > 0; i--) {
                lit.append(Character.toLowerCase(alphabet.charAt(r.nextInt(9))));
            }
            assertThat(RegexPrefilter.containsFolded(v.toString(), lit.toString())).as("'%s' in '%s'", lit, v)
                    .isEqualTo(asciiLower(v.toString()).contains(lit.toString()));
        }
        assertThat(RegexPrefilter.containsFolded("E".repeat(100_000) + " SeLeCt", "select")).isTrue();
        assertThat(RegexPrefilter.containsFolded("É", "é")).isFalse(); // only ASCII is folded
        assertThat(RegexPrefilter.containsFolded("ab", "abc")).isFalse();
    }

    private static String asciiLower(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return b.toString();
    }

    @Test
    void rxSkipsValuesWithoutTheLiterals() {
        Rx rx = new Rx("(?i)union\\s+select");
        assertThat(rx.evaluate(new RxTest.Ctx(), "1 union select 2")).isTrue();
        assertThat(rx.evaluate(new RxTest.Ctx(), "price")).isFalse();
    }
}
