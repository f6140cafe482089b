package io.tiyi.api;

import io.tiyi.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Answers 421 to a request whose {@code Host} is not one of the listener's {@link AllowedHosts},
 * naming the host and the key that would allow it. A request without {@code Host} (HTTP/1.0)
 * goes on: browsers always send one.
 */
final class AllowedHostHandler implements HttpHandler {
    /** Misdirected Request: this server does not answer for that name. */
    static final int STATUS = 421;

    private final AllowedHosts hosts;
    private final HttpHandler next;

    AllowedHostHandler(AllowedHosts hosts, HttpHandler next) {
        this.hosts = hosts;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
        if (host == null || hosts.allows(host)) {
            next.handleRequest(exchange);
            return;
        }
        String shown = host.length() > 100 ? host.substring(0, 100) + "..." : host;
        RpcHandler.send(exchange, STATUS, RpcHandler.error(ErrorCode.PERMISSION_DENIED, "Host '" + shown
                + "' is not a name of this node's API; if clients reach it by that name, add '" + AllowedHosts.hostOf(host)
                + "' to api.allowed_hosts in the node's configuration file"));
    }

    @Override
    public String toString() {
        return "allowed-hosts(" + hosts + ")";
    }
}
