package io.tiyi.siem;

import io.tiyi.events.Event;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The RFC 5424 header every format shares: {@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID}.
 */
final class SyslogHeader {
    /** local0: one of the facilities RFC 5424 leaves to local use, so Tiyi's messages do not mix with the system's own. */
    static final int FACILITY = 16;
    static final String APP_NAME = "tiyi";
    // RFC 5424 section 6 field lengths.
    static final int HOSTNAME_MAX = 255;
    static final int APP_NAME_MAX = 48;
    static final int PROCID_MAX = 128;
    static final int MSGID_MAX = 32;

    /** Milliseconds in UTC with a literal Z: RFC 5424's TIMESTAMP, and the form QRadar documents for it. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private SyslogHeader() {}

    static String of(Event event, Origin origin) {
        int pri = FACILITY * 8 + Severity.of(event).syslog();
        return "<" + pri + ">1 " + timestamp(event.ts()) + ' ' + Text.headerField(origin.hostname(), HOSTNAME_MAX) + ' '
                + Text.headerField(APP_NAME, APP_NAME_MAX) + ' ' + Text.headerField(origin.pid() > 0 ? Long.toString(origin.pid()) : "", PROCID_MAX)
                + ' ' + Text.headerField(event.type(), MSGID_MAX);
    }

    static String timestamp(long ms) {
        return TIMESTAMP.format(Instant.ofEpochMilli(ms));
    }
}
