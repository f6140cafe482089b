package io.tiyi.events;

/**
 * One proxied request.
 *
 * @param ts completion time, ms
 * @param requestId the request id (X-Request-Id)
 * @param clientIp the client address, as the trust profile resolved it
 * @param peer the TCP peer the request came from
 * @param method HTTP method
 * @param host the Host header
 * @param path the request path with query
 * @param status response status
 * @param bytes response body bytes sent
 * @param site the site that answered, or empty for an unknown host
 * @param upstream the upstream that served it, or empty
 * @param upstreamMs time from upstream connection to completion, or -1
 * @param totalMs total time
 */
public record AccessEvent(long ts, String requestId, String clientIp, String peer, String method, String host, String path, int status, long bytes,
        String site, String upstream, long upstreamMs, long totalMs) implements Event {
    @Override
    public String type() {
        return "access";
    }
}
