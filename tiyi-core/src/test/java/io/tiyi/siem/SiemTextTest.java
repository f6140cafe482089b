package io.tiyi.siem;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.events.SecurityEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The escaping and sanitising rules each format relies on, one by one. */
class SiemTextTest {
    @Test
    void headerFieldsArePrintableAsciiCutToTheirLengthOrNil() {
        assertThat(Text.headerField("edge 1.exämple\tnet", 255)).isEqualTo("edge_1.ex_mple_net");
        assertThat(Text.headerField("x".repeat(300), 255)).hasSize(255);
        assertThat(Text.headerField("", 255)).isEqualTo("-");
        assertThat(Text.headerField(null, 255)).isEqualTo("-");
        assertThat(Text.headerField("a\nb\u007fc", 32)).isEqualTo("a_b_c");
        assertThat(Text.headerField("😀", 32)).isEqualTo("__");
    }

    @Test
    void theSyslogHeaderSanitisesTheOriginAndLeavesOutAMissingPid() {
        Origin odd = new Origin("my host\né" + "h".repeat(400), "n", "v", 0);
        String header = SyslogHeader.of(new TestEvent(0, "a", "b"), odd);
        assertThat(header).startsWith("<133>1 1970-01-01T00:00:00.000Z my_host__hhh").endsWith(" tiyi - test");
        String[] fields = header.split(" ");
        assertThat(fields).hasSize(6);
        assertThat(fields[2]).hasSize(255).matches("[\\x21-\\x7e]+");
        assertThat(SiemParsers.rfc5424(SiemFormat.named("rfc5424").format(new TestEvent(0, "a", "b"), odd)).procId()).isEqualTo("-");
        assertThat(SyslogHeader.of(new TestEvent(0, "a", "b"), new Origin("", "n", "v", 7))).isEqualTo("<133>1 1970-01-01T00:00:00.000Z - tiyi 7 test");
    }

    @Test
    void theFacilityIsLocal0AndThePriorityFollowsTheSeverity() {
        SecurityEvent blocked = SiemFixtures.BLOCKED;
        assertThat(SyslogHeader.of(blocked, SiemFixtures.ORIGIN)).startsWith("<132>1 ");
        assertThat(SyslogHeader.of(SiemFixtures.DETECTED, SiemFixtures.ORIGIN)).startsWith("<133>1 ");
        assertThat(SyslogHeader.of(SiemFixtures.ACCESS, SiemFixtures.ORIGIN)).startsWith("<134>1 ");
        assertThat(SyslogHeader.of(SiemFixtures.ERROR, SiemFixtures.ORIGIN)).startsWith("<131>1 ");
        assertThat(SyslogHeader.of(SiemFixtures.ALERT, SiemFixtures.ORIGIN)).startsWith("<130>1 ");
    }

    @Test
    void msgIdIsCutAt32() {
        assertThat(Text.headerField("x".repeat(40), SyslogHeader.MSGID_MAX)).hasSize(32);
    }

    @Test
    void sdValuesEscapeQuoteBackslashAndBracketOnly() {
        assertThat(Text.sdValue("a\"b\\c]d[e=f é")).isEqualTo("a\\\"b\\\\c\\]d[e=f é");
        assertThat(Text.sdValue("l1\r\nl2\tx")).isEqualTo("l1  l2 x");
        assertThat(Text.sdValue(null)).isEmpty();
    }

    @Test
    void sdNamesArePrintableAsciiWithoutEqualsSpaceBracketOrQuote() {
        assertThat(Text.isSdName("detail.role")).isTrue();
        assertThat(Text.isSdName("x".repeat(32))).isTrue();
        assertThat(Text.isSdName("x".repeat(33))).isFalse();
        assertThat(Text.isSdName("")).isFalse();
        assertThat(Text.isSdName("a b")).isFalse();
        assertThat(Text.isSdName("a=b")).isFalse();
        assertThat(Text.isSdName("a]")).isFalse();
        assertThat(Text.isSdName("a\"")).isFalse();
        assertThat(Text.isSdName("é")).isFalse();
    }

    @Test
    void cefHeaderEscapesPipeAndBackslash() {
        assertThat(Text.cefHeader("a|b\\c")).isEqualTo("a\\|b\\\\c");
        assertThat(Text.cefHeader("two\nlines\r")).isEqualTo("two lines ");
        assertThat(Text.cefHeader("a=b")).isEqualTo("a=b");
    }

    @Test
    void cefExtensionEscapesBackslashEqualsAndLineBreaksButNotPipes() {
        assertThat(Text.cefValue("a=b\\c\nd\re|f\tg")).isEqualTo("a\\=b\\\\c\\nd\\re|f g");
        assertThat(Text.cefValue("\u001b[31mred")).isEqualTo(" [31mred");
    }

    @Test
    void cefHeaderFieldsReadBackWithPipesInThem() {
        Origin o = new Origin("h", "n", "1.0|beta\\2", 1);
        SiemParsers.Cef cef = SiemParsers.cef(SiemParsers.rfc5424(new CefFormat().format(
                new io.tiyi.events.AlertEvent(0, 1, "r|x", "Title | with \\ pipe", 1, 0, "d"), o)).msg());
        assertThat(cef.deviceVersion()).isEqualTo("1.0|beta\\2");
        assertThat(cef.classId()).isEqualTo("alert:r|x");
        assertThat(cef.name()).isEqualTo("Title | with \\ pipe");
        SiemParsers.Leef leef = SiemParsers.leef(SiemParsers.rfc5424(new LeefFormat().format(
                new io.tiyi.events.AlertEvent(0, 1, "r|x", "t", 1, 0, "d"), o)).msg());
        assertThat(leef.deviceVersion()).isEqualTo("1.0|beta\\2");
        assertThat(leef.eventId()).isEqualTo("alert:r|x");
    }

    @Test
    void leefValuesLoseOnlyTabsAndLineBreaks() {
        assertThat(Text.leefValue("a=b\\c\nd\te|f\r")).isEqualTo("a=b\\c d e|f ");
        assertThat(Text.leefHeader("a|b\\c")).isEqualTo("a\\|b\\\\c");
    }

    @Test
    void lineBreakingCharactersBecomeSpaces() {
        assertThat(Text.oneLine("a\u2028b\u2029c\u0085d\u0000e\u007f")).isEqualTo("a b c d e ");
        assertThat(Text.oneLine("plain é")).isEqualTo("plain é");
    }

    @Test
    void matchedIsCappedAt256WithAnEllipsis() {
        assertThat(Text.matched("x".repeat(256))).isEqualTo("x".repeat(256));
        String cut = Text.matched("x".repeat(257));
        assertThat(cut).hasSize(256).endsWith("...").startsWith("x".repeat(253));
        assertThat(Text.matched(null)).isEmpty();
        // A surrogate pair straddling the cut is dropped whole, never halved.
        String emoji = "x".repeat(252) + "😀" + "y".repeat(10);
        assertThat(Text.matched(emoji)).isEqualTo("x".repeat(252) + "...");
        assertThat(SiemFixtures.DETECTED.matched()).hasSizeGreaterThan(256);
        for (String f : List.of("rfc5424", "cef", "leef")) {
            assertThat(SiemFormat.named(f).format(SiemFixtures.DETECTED, SiemFixtures.ORIGIN)).contains("A".repeat(231) + "...")
                    .doesNotContain("tail that is cut");
        }
    }

    @Test
    void veryLongValuesStayOnOneLine() {
        String path = "/" + "a\n".repeat(5000);
        SecurityEvent s = new SecurityEvent(0, "r", "192.0.2.1", "p", "s", "GET", "h", path, "blocked", 403, List.of(1L), List.of("m"), "m", 1);
        for (String f : List.of("rfc5424", "cef", "leef")) {
            String m = SiemFormat.named(f).format(s, SiemFixtures.ORIGIN);
            assertThat(m).doesNotContain("\n").doesNotContain("\r");
            SiemParsers.rfc5424(m);
        }
    }

    @Test
    void formatsAreNamedByTheirSetting() {
        assertThat(SiemFormat.named("rfc5424").name()).isEqualTo("rfc5424");
        assertThat(SiemFormat.named("cef").name()).isEqualTo("cef");
        assertThat(SiemFormat.named("leef").name()).isEqualTo("leef");
    }
}
