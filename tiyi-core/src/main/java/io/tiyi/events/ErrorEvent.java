package io.tiyi.events;

/**
 * A request the data plane answered with its own error page: no upstream reachable, or a
 * failure inside Tiyi. The client got the status recorded here from Tiyi, not from an upstream.
 *
 * @param ts when it happened, ms
 * @param requestId the request id
 * @param clientIp the client address, as the trust profile resolved it
 * @param site the site, or empty for an unknown host
 * @param method HTTP method
 * @param host the Host header
 * @param path path and query
 * @param status the status answered (502, 503, 504 or 500)
 * @param reason what went wrong, one line
 */
public record ErrorEvent(long ts, String requestId, String clientIp, String site, String method, String host, String path, int status,
        String reason) implements Event {
    @Override
    public String type() {
        return "error";
    }
}
