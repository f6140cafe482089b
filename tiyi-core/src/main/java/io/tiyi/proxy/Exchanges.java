package io.tiyi.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/** Per-request state of the data plane, carried as typed exchange attachments. */
final class Exchanges {
    /** The request id (from a valid X-Request-Id, else generated). */
    public static final AttachmentKey<String> REQUEST_ID = AttachmentKey.create(String.class);
    /** The site that matched the Host. */
    public static final AttachmentKey<String> SITE = AttachmentKey.create(String.class);
    /** The upstream that served the request, once a connection to it was made. */
    public static final AttachmentKey<String> UPSTREAM = AttachmentKey.create(String.class);
    /** When the upstream connection was obtained, nanoTime. */
    public static final AttachmentKey<Long> UPSTREAM_START = AttachmentKey.create(Long.class);
    /** When the request arrived, nanoTime. */
    public static final AttachmentKey<Long> START = AttachmentKey.create(Long.class);
    /** The client address the data plane attributes the request to. */
    public static final AttachmentKey<String> CLIENT_IP = AttachmentKey.create(String.class);
    /** The TCP peer the request came from (the client, or the last proxy in front of it). */
    public static final AttachmentKey<String> PEER_IP = AttachmentKey.create(String.class);
    /** Why Tiyi answered with its own error page, for the error event of a 5xx. */
    public static final AttachmentKey<String> TIYI_ERROR = AttachmentKey.create(String.class);

    /**
     * A request the edge refused ({@link RequestGuard}): it still runs through the site's WAF, for
     * detection and logging, and is then answered with this refusal instead of being proxied.
     *
     * @param status the refusal's status
     * @param reason what was wrong, naming the setting when a limit was passed
     */
    public record Refusal(int status, String reason) {}

    public static final AttachmentKey<Refusal> REFUSAL = AttachmentKey.create(Refusal.class);

    /** A request whose body the edge cut off ({@link EdgeConduit}): the connection closed with no answer. */
    public static final AttachmentKey<Refusal> BODY_FAILURE = AttachmentKey.create(Refusal.class);

    /** Answers a refused request with its refusal, if it is one; true when it did. */
    static boolean answerRefusal(HttpServerExchange ex) {
        Refusal r = ex.getAttachment(REFUSAL);
        if (r == null) {
            return false;
        }
        ErrorPages.send(ex, r.status(), r.reason());
        return true;
    }

    private Exchanges() {}

    public static String requestId(HttpServerExchange ex) {
        String id = ex.getAttachment(REQUEST_ID);
        return id == null ? "" : id;
    }

    /** Longest path (with query) an event records: a request line can be a megabyte, an event line should not. */
    public static final int MAX_EVENT_PATH = 4096;

    /** {@code path} cut to {@link #MAX_EVENT_PATH} characters, marked with {@code ...} when cut. */
    public static String capped(String path) {
        return path == null || path.length() <= MAX_EVENT_PATH ? path : path.substring(0, MAX_EVENT_PATH - 3) + "...";
    }
}
