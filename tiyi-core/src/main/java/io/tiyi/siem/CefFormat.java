package io.tiyi.siem;

import io.tiyi.events.AccessEvent;
import io.tiyi.events.AlertEvent;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.ErrorEvent;
import io.tiyi.events.Event;
import io.tiyi.events.SecurityEvent;
import java.util.stream.Collectors;

/**
 * ArcSight CEF in the MSG of an RFC 5424 message with no structured data:
 * {@code CEF:0|Tiyi|Tiyi WAF|version|class id|name|severity|extension}.
 *
 * <p>Extension keys are the CEF dictionary's (Micro Focus "Implementing ArcSight CEF", revision
 * 25) wherever one means the same thing; the rest go to the labelled custom fields, each slot
 * keeping one meaning across event types so an ArcSight mapping made once holds for all: cs1
 * rule ids, cs2 site, cs3 matched data, cs4 request id, cs5 TCP peer (audit: target), cs6
 * upstream (alert: rule, audit: details), cn1 anomaly score, cn2 HTTP status, cn3 duration.
 */
final class CefFormat implements SiemFormat {
    static final String VENDOR = "Tiyi";
    static final String PRODUCT = "Tiyi WAF";

    @Override
    public String name() {
        return "cef";
    }

    @Override
    public String format(Event event, Origin origin) {
        String header = "CEF:0|" + Text.cefHeader(VENDOR) + '|' + Text.cefHeader(PRODUCT) + '|' + Text.cefHeader(origin.version()) + '|'
                + Text.cefHeader(Summary.eventId(event)) + '|' + Text.cefHeader(Summary.name(event)) + '|' + Severity.of(event).scale() + '|';
        return SyslogHeader.of(event, origin) + " - " + header + extension(event, origin).join(" ", Text::cefValue);
    }

    static Fields extension(Event event, Origin origin) {
        Fields x = new Fields().add("rt", event.ts()).add("dvchost", origin.hostname()).add("deviceExternalId", origin.nodeId())
                .add("dvcpid", origin.pid() > 0 ? Long.toString(origin.pid()) : "").add("cat", event.type());
        if (event instanceof SecurityEvent s) {
            x.add("act", s.action());
            source(x, s.clientIp());
            x.add("requestMethod", s.method()).add("dhost", s.host()).add("request", Summary.url(s.host(), s.path()))
                    .labelled("cn2", "httpStatus", s.status()).labelled("cs1", "ruleIds", Text.ids(s.ruleIds()))
                    .labelled("cn1", "anomalyScore", s.anomalyScore()).labelled("cs3", "matchedData", Text.matched(s.matched()))
                    .labelled("cs2", "site", s.site()).labelled("cs4", "requestId", s.requestId()).labelled("cs5", "peer", s.peer());
        } else if (event instanceof AccessEvent a) {
            source(x, a.clientIp());
            // bytesOut: CEF counts bytes relative to source (the client) and destination (the
            // site); a response body flows from the destination to the source.
            x.add("requestMethod", a.method()).add("dhost", a.host()).add("request", Summary.url(a.host(), a.path()))
                    .labelled("cn2", "httpStatus", a.status()).add("out", a.bytes()).labelled("cn3", "durationMs", a.totalMs())
                    .labelled("cs2", "site", a.site()).labelled("cs4", "requestId", a.requestId()).labelled("cs5", "peer", a.peer())
                    .labelled("cs6", "upstream", a.upstream());
        } else if (event instanceof ErrorEvent e) {
            source(x, e.clientIp());
            x.add("requestMethod", e.method()).add("dhost", e.host()).add("request", Summary.url(e.host(), e.path()))
                    .labelled("cn2", "httpStatus", e.status()).add("outcome", "failure").add("reason", e.reason())
                    .labelled("cs2", "site", e.site()).labelled("cs4", "requestId", e.requestId());
        } else if (event instanceof AlertEvent a) {
            // baseEventCount is "how many times this event was observed": the count in the window.
            x.add("externalId", a.firingId()).add("cnt", a.count()).add("start", a.windowStart()).labelled("cs6", "alertRule", a.rule());
        } else if (event instanceof AuditLogEvent a) {
            String details = Text.sorted(a.details()).entrySet().stream().map(d -> d.getKey() + "=" + Text.detail(d.getValue()))
                    .collect(Collectors.joining(", "));
            x.add("externalId", a.seq()).add("suser", a.actor()).add("act", a.action()).add("outcome", "success")
                    .labelled("cs5", "target", a.target()).labelled("cs6", "details", details);
        } else if (event instanceof TestEvent t) {
            x.add("externalId", t.id()).add("suser", t.requestedBy());
        }
        return x.add("msg", Summary.of(event));
    }

    /**
     * {@code src} is an IPv4 address in the CEF dictionary, and connectors refuse anything else
     * in it; an IPv6 client goes to {@code c6a2} labelled {@code Source IPv6 Address}, the
     * convention other CEF sources (firewalls, WAFs) follow.
     */
    private static void source(Fields x, String ip) {
        if (ip != null && ip.indexOf(':') >= 0) {
            x.labelled("c6a2", "Source IPv6 Address", ip);
        } else {
            x.add("src", ip);
        }
    }
}
