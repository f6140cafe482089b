package io.tiyi.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.function.Supplier;

/** Picks the site by Host and the pool by path, from the routing table in force when the request arrived. */
final class RoutingHandler implements HttpHandler {
    private final Supplier<Routing> routing;

    RoutingHandler(Supplier<Routing> routing) {
        this.routing = routing;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        Routing r = routing.get();
        Routing.SiteRuntime site = r.find(ex.getRequestHeaders().getFirst(Headers.HOST));
        if (site == null) {
            if (Exchanges.answerRefusal(ex)) {
                return;
            }
            ErrorPages.send(ex, 404, "no site is configured for host '" + ErrorPages.hostOf(ex) + "'");
            return;
        }
        ex.putAttachment(Exchanges.SITE, site.name());
        site.entry().handleRequest(ex);
    }

    @Override
    public String toString() {
        return "routing()";
    }
}
