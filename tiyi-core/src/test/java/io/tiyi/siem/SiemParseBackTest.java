package io.tiyi.siem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.events.AccessEvent;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.ErrorEvent;
import io.tiyi.events.Event;
import io.tiyi.events.SecurityEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the formats write, read back by {@link SiemParsers} (strict readers of RFC 5424, CEF and
 * LEEF 2.0): every message is a valid RFC 5424 message, and tricky values come back as they went
 * in, except for what each format documents it replaces.
 */
class SiemParseBackTest {
    static final Origin ORIGIN = SiemFixtures.ORIGIN;

    /** Values that break naive writers: every escape of every format, at the start, the end and next to each other. */
    static final List<String> TRICKY = List.of(
            "a=b", "=leading", "trailing=", "x\\", "\\", "\\=", "\\\\==\\", "ends with a space ", "key=value other=thing", "pipe | and \\| too",
            "quote \" and ] and [", "]", "\"", "line\nbreak", "cr\r\nlf", "é and ü and 日本 and 😀", "cs1=fake cs1Label=forged", "  ");

    @ParameterizedTest
    @ValueSource(strings = {"rfc5424", "cef", "leef"})
    void everyMessageIsAValidRfc5424Message(String format) {
        for (Map.Entry<String, Event> c : SiemFixtures.CASES.entrySet()) {
            Event e = c.getValue();
            String m = SiemFormat.named(format).format(e, ORIGIN);
            SiemParsers.Syslog s = SiemParsers.rfc5424(m);
            assertThat(s.pri()).as(c.getKey()).isEqualTo(16 * 8 + Severity.of(e).syslog());
            assertThat(s.version()).isEqualTo(1);
            assertThat(s.timestamp()).isEqualTo("2026-11-28T21:57:10.123Z");
            assertThat(s.hostname()).isEqualTo("edge-1.example.net");
            assertThat(s.appName()).isEqualTo("tiyi");
            assertThat(s.procId()).isEqualTo("4242");
            assertThat(s.msgId()).isEqualTo(e.type());
            assertThat(s.msg()).as(c.getKey()).isNotBlank();
            switch (format) {
                case "rfc5424" -> {
                    assertThat(s.structuredData()).hasSize(1);
                    assertThat(s.structuredData().get(0).id()).isEqualTo("tiyi@32473");
                    assertThat(s.structuredData().get(0).params()).containsEntry("node", "node-7f3a");
                    assertThat(s.msg()).isEqualTo(Text.oneLine(Summary.of(e)));
                }
                case "cef" -> {
                    assertThat(s.structuredData()).isEmpty();
                    SiemParsers.Cef cef = SiemParsers.cef(s.msg());
                    assertThat(cef.version()).isEqualTo("0");
                    assertThat(cef.vendor()).isEqualTo("Tiyi");
                    assertThat(cef.product()).isEqualTo("Tiyi WAF");
                    assertThat(cef.deviceVersion()).isEqualTo("3.0.0-rc.1");
                    assertThat(cef.severity()).isEqualTo(String.valueOf(Severity.of(e).scale()));
                    assertThat(cef.extension()).containsEntry("rt", String.valueOf(SiemFixtures.TS)).containsEntry("cat", e.type())
                            .containsEntry("msg", Summary.of(e).replace('\t', ' '));
                }
                case "leef" -> {
                    assertThat(s.structuredData()).isEmpty();
                    SiemParsers.Leef leef = SiemParsers.leef(s.msg());
                    assertThat(leef.version()).isEqualTo("2.0");
                    assertThat(leef.delimiter()).isEqualTo("x09");
                    assertThat(SiemParsers.delimiter(leef.delimiter())).isEqualTo('\t');
                    assertThat(leef.attributes()).containsEntry("cat", e.type()).containsEntry("sev", String.valueOf(Severity.of(e).scale()))
                            .containsEntry("devTime", "Nov 28 2026 21:57:10.123 GMT").containsEntry("devTimeFormat", "MMM dd yyyy HH:mm:ss.SSS z")
                            .containsEntry("msg", Text.oneLine(Summary.of(e)));
                }
                default -> throw new AssertionError(format);
            }
        }
    }

    @Test
    void theCefHeaderAndExtensionOfABlockedRequestReadBack() {
        SecurityEvent s = SiemFixtures.BLOCKED;
        SiemParsers.Cef cef = SiemParsers.cef(SiemParsers.rfc5424(new CefFormat().format(s, ORIGIN)).msg());
        assertThat(cef.classId()).isEqualTo("942100");
        assertThat(cef.name()).isEqualTo("SQL Injection Attack Detected via libinjection");
        assertThat(cef.extension()).containsEntry("act", "blocked").containsEntry("src", "203.0.113.7").containsEntry("requestMethod", "GET")
                .containsEntry("dhost", "shop.example.com").containsEntry("request", "shop.example.com" + s.path())
                .containsEntry("cs1Label", "ruleIds").containsEntry("cs1", "942100,949110").containsEntry("cn1", "5")
                .containsEntry("cs2", "shop|main").containsEntry("cs3Label", "matchedData")
                // CEF escapes the newline; the tab has no escape and becomes a space.
                .containsEntry("cs3", s.matched().replace('\t', ' ')).containsEntry("cs4", "req-0001").containsEntry("cn2", "403")
                .containsEntry("deviceExternalId", "node-7f3a").containsEntry("dvchost", "edge-1.example.net");
    }

    @Test
    void anIpv6ClientGoesToTheSourceIpv6FieldInCef() {
        SiemParsers.Cef cef = SiemParsers.cef(SiemParsers.rfc5424(new CefFormat().format(SiemFixtures.ACCESS, ORIGIN)).msg());
        assertThat(cef.extension()).doesNotContainKey("src").containsEntry("c6a2", "2001:db8::7")
                .containsEntry("c6a2Label", "Source IPv6 Address").containsEntry("out", "1234");
    }

    @Test
    void trickyValuesRoundTripInEveryFormat() {
        for (String v : TRICKY) {
            ErrorEvent e = new ErrorEvent(SiemFixtures.TS, v, "192.0.2.1", v, "GET", v, "/p?" + v, 500, v);

            Map<String, String> sd = SiemParsers.rfc5424(new Rfc5424Format().format(e, ORIGIN)).structuredData().get(0).params();
            Map<String, String> ext = SiemParsers.cef(SiemParsers.rfc5424(new CefFormat().format(e, ORIGIN)).msg()).extension();
            Map<String, String> attrs = SiemParsers.leef(SiemParsers.rfc5424(new LeefFormat().format(e, ORIGIN)).msg()).attributes();

            String oneLine = Text.oneLine(v);
            if (!v.isBlank()) {
                assertThat(sd).as("rfc5424 %s", v).containsEntry("reason", oneLine).containsEntry("site", oneLine).containsEntry("host", oneLine);
                // CEF escapes CR and LF, so they survive.
                assertThat(ext).as("cef %s", v).containsEntry("reason", v).containsEntry("cs2", v).containsEntry("dhost", v)
                        .containsEntry("cs4", v).containsEntry("request", v + "/p?" + v);
                assertThat(attrs).as("leef %s", v).containsEntry("reason", oneLine).containsEntry("site", oneLine)
                        .containsEntry("url", oneLine + "/p?" + oneLine);
            }
            assertThat(sd).containsEntry("path", Text.oneLine("/p?" + v)).containsEntry("status", "500");
            assertThat(ext).containsEntry("cn2", "500").containsEntry("outcome", "failure");
            assertThat(attrs).containsEntry("status", "500").containsEntry("src", "192.0.2.1");
        }
    }

    @Test
    void auditDetailsAreFlattenedWhenTheirKeysAreSdNames() {
        AuditLogEvent a = new AuditLogEvent(SiemFixtures.TS, 7, "admin", "settings.update", "setting:siem.format",
                Map.of("key", "siem.format", "to", "cef", "bad key", "x", "k".repeat(26), "too long", "a]\"=\\", "value"));
        Map<String, String> sd = SiemParsers.rfc5424(new Rfc5424Format().format(a, ORIGIN)).structuredData().get(0).params();
        assertThat(sd).containsEntry("detail.key", "siem.format").containsEntry("detail.to", "cef").containsKeys("seq", "actor", "action", "target")
                .doesNotContainKeys("detail.bad key", "detail." + "k".repeat(26), "detail.a]\"=\\");
        assertThat(sd.keySet()).allMatch(Text::isSdName);
        assertThat("detail." + "k".repeat(25)).satisfies(k -> assertThat(Text.isSdName(k)).isTrue());

        Map<String, String> attrs = SiemParsers.leef(SiemParsers.rfc5424(new LeefFormat().format(a, ORIGIN)).msg()).attributes();
        assertThat(attrs).containsEntry("detail.key", "siem.format").containsEntry("usrName", "admin").doesNotContainKey("detail.bad key");

        Map<String, String> ext = SiemParsers.cef(SiemParsers.rfc5424(new CefFormat().format(a, ORIGIN)).msg()).extension();
        assertThat(ext).containsEntry("suser", "admin").containsEntry("act", "settings.update").containsEntry("externalId", "7")
                .containsEntry("cs6", "a]\"=\\=value, bad key=x, key=siem.format, " + "k".repeat(26) + "=too long, to=cef");
    }

    @Test
    void aSecurityEventWithoutRulesOrScoreStillReadsBack() {
        SecurityEvent s = new SecurityEvent(SiemFixtures.TS, "", "192.0.2.9", "", "", "GET", "", "/", "blocked", 403, List.of(), List.of(), "", 0);
        SiemParsers.Cef cef = SiemParsers.cef(SiemParsers.rfc5424(new CefFormat().format(s, ORIGIN)).msg());
        assertThat(cef.classId()).isEqualTo("security");
        assertThat(cef.name()).isEqualTo("Request blocked by WAF");
        assertThat(cef.extension()).doesNotContainKeys("cs1", "cs1Label", "cs3", "cs2", "cs4", "dhost").containsEntry("request", "/");
        SiemParsers.Syslog r = SiemParsers.rfc5424(new Rfc5424Format().format(s, ORIGIN));
        assertThat(r.structuredData().get(0).params()).doesNotContainKeys("rule_ids", "matched", "site", "request_id")
                .containsEntry("anomaly_score", "0");
        assertThat(r.msg()).isEqualTo("blocked GET / from 192.0.2.9");
    }

    @Test
    void theAccessSummaryAndParamsLeaveOutAnUnknownUpstream() {
        AccessEvent a = new AccessEvent(SiemFixtures.TS, "r", "192.0.2.1", "192.0.2.1", "GET", "unknown.example", "/", 421, 0, "", "", -1, 1);
        Map<String, String> sd = SiemParsers.rfc5424(new Rfc5424Format().format(a, ORIGIN)).structuredData().get(0).params();
        assertThat(sd).doesNotContainKeys("site", "upstream", "upstream_ms").containsEntry("total_ms", "1").containsEntry("bytes", "0");
    }

    @Test
    void theParsersRefuseWhatTheSpecsForbid() {
        assertThatThrownBy(() -> SiemParsers.rfc5424("<192>1 - - - - - -")).hasMessageContaining("PRIVAL");
        assertThatThrownBy(() -> SiemParsers.rfc5424("<13>1 - - - - - [x@1 a=\"]\"]")).hasMessageContaining("unescaped ']'");
        assertThatThrownBy(() -> SiemParsers.rfc5424("<13>1 - h\u00f4st - - - -")).hasMessageContaining("HOSTNAME");
        assertThatThrownBy(() -> SiemParsers.rfc5424("<13>1 - - - - - [a@b c=\"d\"]")).hasMessageContaining("SD-ID");
        assertThatThrownBy(() -> SiemParsers.rfc5424("<13>1 - - - - - - two\nlines")).hasMessageContaining("line break");
        assertThatThrownBy(() -> SiemParsers.cef("CEF:0|a|b|c|d|e|f|k=v\\x")).hasMessageContaining("no CEF extension escape");
        assertThatThrownBy(() -> SiemParsers.cef("CEF:0|a|b|c|d|e|k=v")).hasMessageContaining("header");
        assertThatThrownBy(() -> SiemParsers.leef("LEEF:2.0|a|b|c|d|x09|novalue")).hasMessageContaining("key=value");
        assertThat(SiemParsers.rfc5424("<13>1 - - - - - [a@1.2 b=\"x\\y\\]\"]").structuredData().get(0).params()).containsEntry("b", "x\\y]");
        assertThat(SiemParsers.cefExtension("a=1 b=two words c=x\\=y\\\\")).containsExactly(Map.entry("a", "1"), Map.entry("b", "two words"),
                Map.entry("c", "x=y\\"));
    }
}
