package io.tiyi.events;

import java.util.List;

/**
 * A request the WAF matched: which rules, what they saw, and what was done.
 *
 * @param ts completion time, ms
 * @param requestId the request id
 * @param clientIp the client address, as the trust profile resolved it
 * @param peer the TCP peer the request came from
 * @param site the site
 * @param method HTTP method
 * @param host Host header
 * @param path path and query
 * @param action {@code blocked} or {@code detected}
 * @param status the status answered
 * @param ruleIds ids of the matched rules, in order
 * @param messages their messages
 * @param matched the first matched variable and value, truncated
 * @param anomalyScore the inbound anomaly score, or 0
 */
public record SecurityEvent(long ts, String requestId, String clientIp, String peer, String site, String method, String host, String path, String action,
        int status, List<Long> ruleIds, List<String> messages, String matched, int anomalyScore) implements Event {
    public SecurityEvent {
        ruleIds = List.copyOf(ruleIds);
        messages = List.copyOf(messages);
    }

    @Override
    public String type() {
        return "security";
    }
}
