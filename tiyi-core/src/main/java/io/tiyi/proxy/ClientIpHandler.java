package io.tiyi.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.net.InetSocketAddress;

/**
 * Decides which address a request is attributed to. Without a trust profile that is the TCP
 * peer; forwarded-for headers from clients are not believed.
 */
public final class ClientIpHandler implements HttpHandler {
    private final HttpHandler next;

    public ClientIpHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        InetSocketAddress peer = ex.getSourceAddress();
        ex.putAttachment(Exchanges.CLIENT_IP, peer == null || peer.getAddress() == null ? "" : peer.getAddress().getHostAddress());
        next.handleRequest(ex);
    }

    @Override
    public String toString() {
        return "client-ip() -> " + next;
    }
}
