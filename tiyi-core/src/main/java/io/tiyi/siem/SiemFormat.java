package io.tiyi.siem;

import io.tiyi.events.Event;

/**
 * Writes an event as one syslog message: an RFC 5424 header (PRI, version, timestamp, HOSTNAME,
 * APP-NAME {@code tiyi}, PROCID, MSGID = the event type) followed by the format's own body. The
 * result carries no transport framing: TCP adds RFC 6587 octet counting, datagrams carry one
 * message each.
 */
interface SiemFormat {
    /** The {@code siem.format} value: {@code rfc5424}, {@code cef} or {@code leef}. */
    String name();

    /** The whole syslog message for {@code event}, UTF-8 text without a trailing newline. */
    String format(Event event, Origin origin);

    /** The format a {@code siem.format} value names. */
    static SiemFormat named(String name) {
        return switch (name) {
            case "rfc5424" -> new Rfc5424Format();
            case "cef" -> new CefFormat();
            case "leef" -> new LeefFormat();
            default -> throw new IllegalArgumentException("unknown SIEM format '" + name + "': allowed: rfc5424, cef, leef");
        };
    }
}
