package io.tiyi.siem;

import io.tiyi.events.AccessEvent;
import io.tiyi.events.AlertEvent;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.ErrorEvent;
import io.tiyi.events.Event;
import io.tiyi.events.SecurityEvent;
import java.util.Map;

/**
 * Plain RFC 5424: the event's fields as PARAMs of one SD-ELEMENT {@code [tiyi@32473 ...]}, and
 * {@link Summary the human line} as MSG.
 */
final class Rfc5424Format implements SiemFormat {
    /**
     * An SD-ID with an {@code @} must end in an IANA Private Enterprise Number. Tiyi has none of
     * its own, so it uses 32473, the number RFC 5612 reserves for documentation and examples; a
     * receiver only uses it to tell our SD-ELEMENT from others.
     */
    static final String SD_ID = "tiyi@32473";

    @Override
    public String name() {
        return "rfc5424";
    }

    @Override
    public String format(Event event, Origin origin) {
        Fields params = params(event, origin);
        StringBuilder sd = new StringBuilder("[").append(SD_ID);
        for (Fields.Field f : params.list()) {
            sd.append(' ').append(f.key()).append("=\"").append(Text.sdValue(f.value())).append('"');
        }
        sd.append(']');
        // MSG-ANY: no BOM, although the text is UTF-8. Many receivers show a BOM as garbage
        // at the start of the message, and CEF and LEEF parsers anchor on "CEF:"/"LEEF:" at the
        // very start of MSG; all three formats write MSG the same way.
        return SyslogHeader.of(event, origin) + ' ' + sd + ' ' + Text.oneLine(Summary.of(event));
    }

    static Fields params(Event event, Origin origin) {
        Fields p = new Fields().add("node", origin.nodeId());
        if (event instanceof SecurityEvent s) {
            p.add("request_id", s.requestId()).add("client_ip", s.clientIp()).add("peer", s.peer()).add("site", s.site())
                    .add("method", s.method()).add("host", s.host()).add("path", s.path()).add("action", s.action())
                    .add("status", s.status()).add("rule_ids", Text.ids(s.ruleIds()))
                    .add("rule_msg", s.messages().isEmpty() ? "" : s.messages().get(0))
                    .add("anomaly_score", s.anomalyScore()).add("matched", Text.matched(s.matched()));
        } else if (event instanceof AccessEvent a) {
            p.add("request_id", a.requestId()).add("client_ip", a.clientIp()).add("peer", a.peer()).add("site", a.site())
                    .add("method", a.method()).add("host", a.host()).add("path", a.path()).add("status", a.status())
                    .add("bytes", a.bytes()).add("upstream", a.upstream());
            if (a.upstreamMs() >= 0) {
                p.add("upstream_ms", a.upstreamMs());
            }
            p.add("total_ms", a.totalMs());
        } else if (event instanceof ErrorEvent e) {
            p.add("request_id", e.requestId()).add("client_ip", e.clientIp()).add("site", e.site()).add("method", e.method())
                    .add("host", e.host()).add("path", e.path()).add("status", e.status()).add("reason", e.reason());
        } else if (event instanceof AlertEvent a) {
            p.add("firing_id", a.firingId()).add("rule", a.rule()).add("title", a.title()).add("count", a.count())
                    .add("window_start", SyslogHeader.timestamp(a.windowStart()));
        } else if (event instanceof AuditLogEvent a) {
            p.add("seq", a.seq()).add("actor", a.actor()).add("action", a.action()).add("target", a.target());
            for (Map.Entry<String, Object> d : Text.sorted(a.details()).entrySet()) {
                // A key that is no SD-NAME (a space, a quote, too long) cannot be written as a
                // PARAM-NAME at all; the audit chain keeps it.
                String name = "detail." + d.getKey();
                if (Text.isSdName(name)) {
                    p.add(name, Text.detail(d.getValue()));
                }
            }
        } else if (event instanceof TestEvent t) {
            p.add("id", t.id()).add("requested_by", t.requestedBy());
        }
        return p;
    }
}
