package io.tiyi.siem;

import io.tiyi.events.Event;
import io.tiyi.events.SecurityEvent;
import java.util.Locale;

/**
 * Syslog severities (RFC 5424 section 6.2.1) of the events Tiyi forwards, and their CEF and LEEF
 * equivalents. {@code siem.filter.min_severity} names one of these.
 */
enum Severity {
    CRITICAL(2, 9),
    ERROR(3, 7),
    WARNING(4, 6),
    NOTICE(5, 3),
    INFO(6, 1),
    DEBUG(7, 0);

    private final int syslog;
    private final int scale;

    Severity(int syslog, int scale) {
        this.syslog = syslog;
        this.scale = scale;
    }

    /** The syslog severity number, 0 (emergency) to 7 (debug). */
    public int syslog() {
        return syslog;
    }

    /** CEF's and LEEF's severity, 0 (lowest) to 10. */
    public int scale() {
        return scale;
    }

    /** The setting's spelling: {@code info}, {@code warning}... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when this is at least as severe as {@code floor}. */
    public boolean atLeast(Severity floor) {
        return syslog <= floor.syslog;
    }

    public static Severity fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /**
     * An event's severity: access info; a detected attack notice, a blocked one warning; audit
     * and test notice; error error; an alert firing critical.
     */
    public static Severity of(Event e) {
        return switch (e.type()) {
            case "security" -> "blocked".equals(((SecurityEvent) e).action()) ? WARNING : NOTICE;
            case "error" -> ERROR;
            case "alert" -> CRITICAL;
            case "audit", "test" -> NOTICE;
            default -> INFO;
        };
    }
}
