package io.tiyi.siem;

import io.tiyi.events.AccessEvent;
import io.tiyi.events.AlertEvent;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.ErrorEvent;
import io.tiyi.events.Event;
import io.tiyi.events.SecurityEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The one human line that says what happened: the MSG of an RFC 5424 message, and {@code msg} in
 * CEF and LEEF, so an analyst reads the same sentence whichever format the receiver gets.
 */
final class Summary {
    private Summary() {}

    /** Unescaped and possibly holding line breaks: each format escapes it its own way. */
    static String of(Event event) {
        if (event instanceof SecurityEvent s) {
            List<String> why = new ArrayList<>();
            if (!s.ruleIds().isEmpty()) {
                why.add((s.ruleIds().size() == 1 ? "rule " : "rules ") + Text.ids(s.ruleIds()));
            }
            if (s.anomalyScore() > 0) {
                why.add("anomaly score " + s.anomalyScore());
            }
            return Text.nz(s.action()) + ' ' + Text.nz(s.method()) + ' ' + Text.nz(s.path()) + " from " + Text.nz(s.clientIp())
                    + (why.isEmpty() ? "" : ": " + String.join(", ", why));
        }
        if (event instanceof AccessEvent a) {
            return Text.nz(a.method()) + ' ' + url(a.host(), a.path()) + ' ' + a.status() + ' ' + a.bytes() + " bytes " + a.totalMs() + " ms";
        }
        if (event instanceof ErrorEvent e) {
            return e.status() + " " + Text.nz(e.method()) + ' ' + Text.nz(e.path()) + ": " + Text.nz(e.reason());
        }
        if (event instanceof AlertEvent a) {
            return "alert " + Text.nz(a.title()) + " fired: " + Text.nz(a.detail());
        }
        if (event instanceof AuditLogEvent a) {
            return "audit " + Text.nz(a.action()) + ' ' + Text.nz(a.target()) + " by " + Text.nz(a.actor());
        }
        if (event instanceof TestEvent t) {
            return "Tiyi SIEM test event " + Text.nz(t.id()) + " from " + Text.nz(t.requestedBy());
        }
        return event.type() + " event";
    }

    /**
     * What kind of event this is, as CEF's Device Event Class ID and LEEF's EventID: the first
     * matched rule for an attack (what SIEM rules key on), else the event type with what
     * distinguishes its kinds.
     */
    static String eventId(Event event) {
        if (event instanceof SecurityEvent s) {
            return s.ruleIds().isEmpty() ? "security" : String.valueOf(s.ruleIds().get(0));
        }
        if (event instanceof ErrorEvent e) {
            return "error-" + e.status();
        }
        if (event instanceof AlertEvent a) {
            return "alert:" + Text.nz(a.rule());
        }
        if (event instanceof AuditLogEvent a) {
            return "audit:" + Text.nz(a.action());
        }
        return event.type();
    }

    /** A short name for the kind of event (CEF's Name); the specifics are in the other fields. */
    static String name(Event event) {
        if (event instanceof SecurityEvent s) {
            for (String m : s.messages()) {
                if (m != null && !m.isBlank()) {
                    return m;
                }
            }
            return "blocked".equals(s.action()) ? "Request blocked by WAF" : "Attack detected by WAF";
        }
        if (event instanceof AccessEvent) {
            return "Request proxied";
        }
        if (event instanceof ErrorEvent e) {
            String text = switch (e.status()) {
                case 500 -> " Internal Server Error";
                case 502 -> " Bad Gateway";
                case 503 -> " Service Unavailable";
                case 504 -> " Gateway Timeout";
                default -> "";
            };
            return "Request failed: " + e.status() + text;
        }
        if (event instanceof AlertEvent a) {
            return a.title() == null || a.title().isBlank() ? Text.nz(a.rule()) : a.title();
        }
        if (event instanceof AuditLogEvent a) {
            return "Audit: " + Text.nz(a.action());
        }
        if (event instanceof TestEvent) {
            return "Tiyi SIEM test event";
        }
        return event.type();
    }

    /** Host and path as one URL-like string; the scheme is not recorded, so it is left out rather than guessed. */
    static String url(String host, String path) {
        return Text.nz(host) + Text.nz(path);
    }
}
