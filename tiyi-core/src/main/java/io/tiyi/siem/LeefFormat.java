package io.tiyi.siem;

import io.tiyi.events.AccessEvent;
import io.tiyi.events.AlertEvent;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.ErrorEvent;
import io.tiyi.events.Event;
import io.tiyi.events.SecurityEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * IBM QRadar LEEF 2.0 in the MSG of an RFC 5424 message with no structured data:
 * {@code LEEF:2.0|Tiyi|Tiyi WAF|version|event id|x09|attributes}, attributes separated by tabs.
 *
 * <p>QRadar's predefined keys are used where one means the same thing (cat, sev, devTime,
 * devTimeFormat, src, usrName, url, dstBytes); the rest are custom keys, which QRadar keeps in
 * the payload for custom event properties.
 */
final class LeefFormat implements SiemFormat {
    /**
     * The tab, spelled as LEEF 2.0's hex form of the delimiter field ({@code x} and 1 to 4 hex
     * digits): a literal tab in the header is invisible and easy to mangle. It is also the
     * delimiter LEEF 1.0 fixes, so lenient receivers get it right either way.
     */
    static final String DELIMITER = "x09";
    /**
     * IBM's suggested devTimeFormat with milliseconds and zone, in Java SimpleDateFormat syntax
     * as QRadar reads it; the zone is written as {@code GMT}, as in IBM's example.
     */
    static final String DEV_TIME_FORMAT = "MMM dd yyyy HH:mm:ss.SSS z";
    private static final DateTimeFormatter DEV_TIME = DateTimeFormatter.ofPattern(DEV_TIME_FORMAT, Locale.US).withZone(ZoneId.of("GMT"));

    @Override
    public String name() {
        return "leef";
    }

    @Override
    public String format(Event event, Origin origin) {
        String header = "LEEF:2.0|" + Text.leefHeader(CefFormat.VENDOR) + '|' + Text.leefHeader(CefFormat.PRODUCT) + '|'
                + Text.leefHeader(origin.version()) + '|' + Text.leefHeader(Summary.eventId(event)) + '|' + DELIMITER + '|';
        return SyslogHeader.of(event, origin) + " - " + header + attributes(event, origin).join("\t", Text::leefValue);
    }

    static Fields attributes(Event event, Origin origin) {
        // QRadar's sev is 1 to 10; Severity.DEBUG's scale is 0.
        Fields a = new Fields().add("cat", event.type()).add("sev", Math.max(1, Severity.of(event).scale()))
                .add("devTime", devTime(event.ts())).add("devTimeFormat", DEV_TIME_FORMAT).add("node", origin.nodeId());
        if (event instanceof SecurityEvent s) {
            a.add("src", s.clientIp()).add("url", Summary.url(s.host(), s.path())).add("method", s.method()).add("action", s.action())
                    .add("status", s.status()).add("ruleIds", Text.ids(s.ruleIds()))
                    .add("ruleMsg", s.messages().isEmpty() ? "" : s.messages().get(0)).add("anomalyScore", s.anomalyScore())
                    .add("matched", Text.matched(s.matched())).add("site", s.site()).add("requestId", s.requestId()).add("peer", s.peer());
        } else if (event instanceof AccessEvent x) {
            // dstBytes: bytes the destination (the site) sent, i.e. the response body.
            a.add("src", x.clientIp()).add("url", Summary.url(x.host(), x.path())).add("method", x.method()).add("status", x.status())
                    .add("dstBytes", x.bytes()).add("site", x.site()).add("requestId", x.requestId()).add("peer", x.peer())
                    .add("upstream", x.upstream());
            if (x.upstreamMs() >= 0) {
                a.add("upstreamMs", x.upstreamMs());
            }
            a.add("totalMs", x.totalMs());
        } else if (event instanceof ErrorEvent e) {
            a.add("src", e.clientIp()).add("url", Summary.url(e.host(), e.path())).add("method", e.method()).add("status", e.status())
                    .add("reason", e.reason()).add("site", e.site()).add("requestId", e.requestId());
        } else if (event instanceof AlertEvent x) {
            a.add("firingId", x.firingId()).add("rule", x.rule()).add("title", x.title()).add("count", x.count())
                    .add("windowStart", devTime(x.windowStart()));
        } else if (event instanceof AuditLogEvent x) {
            a.add("usrName", x.actor()).add("seq", x.seq()).add("action", x.action()).add("target", x.target());
            for (Map.Entry<String, Object> d : Text.sorted(x.details()).entrySet()) {
                // The SD-NAME rule keeps out of keys what IBM's guide asks to keep out (spaces,
                // delimiters, =) and names a detail the same way in both formats.
                String key = "detail." + d.getKey();
                if (Text.isSdName(key) && key.indexOf('|') < 0 && key.indexOf('^') < 0) {
                    a.add(key, Text.detail(d.getValue()));
                }
            }
        } else if (event instanceof TestEvent t) {
            a.add("usrName", t.requestedBy()).add("testId", t.id());
        }
        return a.add("msg", Summary.of(event));
    }

    static String devTime(long ms) {
        return DEV_TIME.format(Instant.ofEpochMilli(ms));
    }
}
