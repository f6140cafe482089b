package io.tiyi.proxy;

import io.undertow.server.DefaultResponseListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

/**
 * Tiyi's own answer when there is no upstream answer to relay: unknown host, upstream
 * unreachable or timing out. Short plain text that says which failure it was and carries the
 * request id, so an operator can find the request in the access log.
 */
final class ErrorPages implements DefaultResponseListener {
    static final ErrorPages INSTANCE = new ErrorPages();

    @Override
    public boolean handleDefaultResponse(HttpServerExchange ex) {
        if (!ex.isResponseChannelAvailable() || ex.getAttachment(Exchanges.UPSTREAM) != null) {
            return false;
        }
        int status = ex.getStatusCode();
        if (status < 400) {
            return false;
        }
        if (status == 503 && ex.getAttachment(Exchanges.SITE) != null) {
            // The proxy answers 503 when no upstream of the pool accepted a connection; to a client
            // that is a bad gateway, not an overloaded Tiyi.
            status = 502;
            ex.setStatusCode(502);
        }
        send(ex, status, reason(ex, status));
        return true;
    }

    private static String reason(HttpServerExchange ex, int status) {
        String site = ex.getAttachment(Exchanges.SITE);
        return switch (status) {
            case 502 -> "no upstream of site '" + site + "' could be reached";
            case 504 -> "the upstream of site '" + site + "' did not answer in time";
            case 404 -> "no site is configured for host '" + hostOf(ex) + "'";
            default -> StatusCodes.getReason(status);
        };
    }

    static String hostOf(HttpServerExchange ex) {
        String h = ex.getRequestHeaders().getFirst(Headers.HOST);
        return h == null ? "" : h;
    }

    /** Writes a Tiyi error page. */
    public static void send(HttpServerExchange ex, int status, String message) {
        if (ex.getAttachment(Exchanges.REFUSAL) != null && !ex.getProtocol().equals(io.undertow.util.Protocols.HTTP_2_0)) {
            // A refused request carries the version it was sent with, for the WAF; the answer is
            // written in the version Undertow read it as.
            ex.setProtocol(io.undertow.util.Protocols.HTTP_1_1);
            ex.setPersistent(false);
        }
        ex.setStatusCode(status);
        ex.putAttachment(Exchanges.TIYI_ERROR, message);
        String body = status + " " + StatusCodes.getReason(status) + "\n" + message + "\nrequest id: " + Exchanges.requestId(ex)
                + "\n-- tiyi\n";
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        ex.getResponseSender().send(body);
    }
}
