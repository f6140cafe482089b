package io.tiyi.siem;

import io.tiyi.events.AccessEvent;
import io.tiyi.events.AlertEvent;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.ErrorEvent;
import io.tiyi.events.Event;
import io.tiyi.events.SecurityEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One fixed event of each kind, with values that need escaping in at least one format: pipes,
 * equals signs, backslashes, quotes, closing brackets, newlines, tabs and non-ASCII text.
 */
final class SiemFixtures {
    /** 2026-11-28T21:57:10.123Z */
    static final long TS = 1_795_903_030_123L;
    static final Origin ORIGIN = new Origin("edge-1.example.net", "node-7f3a", "3.0.0-rc.1", 4242);

    static final SecurityEvent BLOCKED = new SecurityEvent(TS, "req-0001", "203.0.113.7", "10.0.0.5", "shop|main", "GET", "shop.example.com",
            "/search?q=1' OR \"a\"=\"a\" -- ]&lang=fr\\é", "blocked", 403, List.of(942100L, 949110L),
            List.of("SQL Injection Attack Detected via libinjection", "Inbound Anomaly Score Exceeded (Total Score: 5)"),
            "ARGS:q: 1' OR \"a\"=\"a\" -- ]\nnext\tline | x=y \\ é", 5);

    /** No rule message (the name falls back) and a matched value longer than the 256-character cap. */
    static final SecurityEvent DETECTED = new SecurityEvent(TS, "req-0002", "198.51.100.23", "198.51.100.23", "api", "POST", "api.example.com",
            "/v1/login", "detected", 200, List.of(920350L), List.of(),
            "REQUEST_HEADERS:Host: " + "A".repeat(250) + " tail that is cut", 3);

    /** An IPv6 client, no WAF involvement. */
    static final AccessEvent ACCESS = new AccessEvent(TS, "req-0003", "2001:db8::7", "2001:db8::7", "GET", "example.com", "/café?a=b|c&d=\\e",
            200, 1234, "demo", "10.1.0.4:8080", 9, 12);

    static final ErrorEvent ERROR = new ErrorEvent(TS, "req-0004", "198.51.100.23", "demo", "GET", "demo.example.com", "/x",
            502, "no upstream of site 'demo' could be reached:\r\nconnect timed out [10.1.0.4:8080] \"twice\"");

    static final AlertEvent ALERT = new AlertEvent(TS, 17, "origin-bypass-attempt", "Origin Bypass Attempt", 12, TS - 300_000,
            "12 requests from 198.51.100.9 carried X-Forwarded-For | not via a trusted proxy; first: x=1\\y é");

    static final AuditLogEvent AUDIT = new AuditLogEvent(TS, 42, "admin", "users.create", "user:alice", details());

    static final TestEvent TEST = new TestEvent(TS, "admin", "t-4f2a9c");

    /** The golden cases, by the name of their file: {@code <format>-<case>.txt}. */
    static final Map<String, Event> CASES = cases();

    private SiemFixtures() {}

    private static Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("role", "operator");
        d.put("note", "first \"ops\" user] =ok");
        d.put("bad key", "not an SD-NAME: left out of rfc5424 and leef");
        d.put("nested", Map.of("a", 1));
        return d;
    }

    private static Map<String, Event> cases() {
        Map<String, Event> c = new LinkedHashMap<>();
        c.put("security-blocked", BLOCKED);
        c.put("security-detected", DETECTED);
        c.put("access", ACCESS);
        c.put("error", ERROR);
        c.put("alert", ALERT);
        c.put("audit", AUDIT);
        c.put("test", TEST);
        return c;
    }
}
