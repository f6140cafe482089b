package io.tiyi.events;

/**
 * The JSON line of the events written at the rate of requests ({@link AccessEvent},
 * {@link ErrorEvent}), written by hand: the same text as {@link io.tiyi.internal.Json#MAPPER}
 * gives (snake_case names in alphabetical order, then {@code type}; Jackson's escapes), without
 * its reflection and intermediate strings. Any other event is left to the mapper.
 */
final class EventJson {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private EventJson() {}

    /** Appends the line of {@code e} (no newline); false, with nothing appended, when it is not an event encoded here. */
    static boolean append(Event e, StringBuilder out) {
        if (e instanceof AccessEvent a) {
            out.append("{\"bytes\":").append(a.bytes());
            string(out, ",\"client_ip\":", a.clientIp());
            string(out, ",\"host\":", a.host());
            string(out, ",\"method\":", a.method());
            string(out, ",\"path\":", a.path());
            string(out, ",\"peer\":", a.peer());
            string(out, ",\"request_id\":", a.requestId());
            string(out, ",\"site\":", a.site());
            out.append(",\"status\":").append(a.status());
            out.append(",\"total_ms\":").append(a.totalMs());
            out.append(",\"ts\":").append(a.ts());
            string(out, ",\"upstream\":", a.upstream());
            out.append(",\"upstream_ms\":").append(a.upstreamMs());
            out.append(",\"type\":\"access\"}");
            return true;
        }
        if (e instanceof ErrorEvent r) {
            string(out, "{\"client_ip\":", r.clientIp());
            string(out, ",\"host\":", r.host());
            string(out, ",\"method\":", r.method());
            string(out, ",\"path\":", r.path());
            string(out, ",\"reason\":", r.reason());
            string(out, ",\"request_id\":", r.requestId());
            string(out, ",\"site\":", r.site());
            out.append(",\"status\":").append(r.status());
            out.append(",\"ts\":").append(r.ts());
            out.append(",\"type\":\"error\"}");
            return true;
        }
        return false;
    }

    /** {@code name} (already JSON, with its colon), then {@code value} as a JSON string, or {@code null}. */
    private static void string(StringBuilder out, String name, String value) {
        out.append(name);
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int n = value.length();
        int plain = 0;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(value, plain, i);
            plain = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        out.append(value, plain, n).append('"');
    }
}
