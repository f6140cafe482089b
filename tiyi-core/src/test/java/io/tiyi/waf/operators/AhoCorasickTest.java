package io.tiyi.waf.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AhoCorasickTest {
    /** The first position where any phrase ends, ASCII case folded; null when none occurs. */
    private static Integer firstEnd(List<String> phrases, String s) {
        String folded = fold(s);
        Integer best = null;
        for (String p : phrases) {
            int at = folded.indexOf(fold(p));
            if (!p.isEmpty() && at >= 0 && (best == null || at + p.length() < best)) {
                best = at + p.length();
            }
        }
        return best;
    }

    private static String fold(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            b.append(AhoCorasick.lower(s.charAt(i)));
        }
        return b.toString();
    }

    private static void agrees(AhoCorasick ac, List<String> phrases, String s) {
        Integer end = firstEnd(phrases, s);
        String found = ac.find(s);
        assertThat(found).as("in '%s' of %s", s, phrases).isEqualTo(new AhoCorasick(phrases, 0).find(s));
        if (end == null) {
            assertThat(found).as("in '%s' of %s", s, phrases).isNull();
        } else {
            // The phrase reported ends where the first occurrence of any phrase ends.
            assertThat(found).as("in '%s' of %s", s, phrases).isNotNull();
            assertThat(fold(s).substring(0, end)).endsWith(fold(found));
        }
    }

    @Test
    void theTableFindsWhatTheTrieFindsOnRandomPhrasesAndText() {
        SplittableRandom r = new SplittableRandom(24);
        String alphabet = "abcABC-<>é€\u00ff ";
        for (int round = 0; round < 400; round++) {
            List<String> phrases = new ArrayList<>();
            for (int i = 1 + r.nextInt(12); i > 0; i--) {
                phrases.add(random(r, alphabet, 1 + r.nextInt(5)));
            }
            AhoCorasick ac = new AhoCorasick(phrases);
            AhoCorasick trie = new AhoCorasick(phrases, 0);
            assertThat(ac.tabled()).isTrue();
            assertThat(trie.tabled()).isFalse();
            for (int t = 0; t < 40; t++) {
                String text = random(r, alphabet + "xyz\u0100", r.nextInt(30));
                assertThat(ac.find(text)).as("in '%s' of %s", text, phrases).isEqualTo(trie.find(text));
                agrees(ac, phrases, text);
            }
        }
    }

    @Test
    void foldsAsciiCaseOnlyAndKeepsThePhraseAsWritten() {
        AhoCorasick ac = new AhoCorasick(List.of("Select", "ÉTé", "/etc/passwd"));
        assertThat(ac.tabled()).isTrue();
        assertThat(ac.find("1 UNION SELECT 2")).isEqualTo("Select");
        assertThat(ac.find("GET /ETC/PASSWD")).isEqualTo("/etc/passwd");
        assertThat(ac.find("étéx")).isNull(); // É and é are different characters to ASCII folding
        assertThat(ac.find("Étéx")).isEqualTo("ÉTé");
        assertThat(ac.find("xÉTÉ")).isNull();
        assertThat(ac.find("xÉtÉ")).isNull();
        assertThat(ac.find("ÉTé")).isEqualTo("ÉTé");
        assertThat(ac.find("Ét")).isNull();
        assertThat(ac.find("")).isNull();
    }

    @Test
    void aPhraseInsideAnotherIsFoundThroughTheFailureLinks() {
        AhoCorasick ac = new AhoCorasick(List.of("abcd", "bc"));
        assertThat(ac.find("xabcx")).isEqualTo("bc");
        assertThat(ac.find("abd")).isNull();
    }

    @Test
    void anAutomatonTooLargeForATableStillSearchesThroughTheTrie() {
        SplittableRandom r = new SplittableRandom(7);
        List<String> phrases = new ArrayList<>();
        // About 40 classes and well over a million cells.
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_./";
        for (int i = 0; i < 6000; i++) {
            phrases.add(random(r, alphabet, 6 + r.nextInt(6)));
        }
        AhoCorasick ac = new AhoCorasick(phrases);
        assertThat(ac.tabled()).isFalse();
        String hit = phrases.get(4321);
        assertThat(ac.find("zz " + hit.toUpperCase(Locale.ROOT) + " zz")).isNotNull();
        agrees(ac, phrases, "zz " + hit + " zz");
        agrees(ac, phrases, "!!!!");
    }

    private static String random(SplittableRandom r, String alphabet, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
