package io.tiyi.proxy;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.tiyi.events.EventLog;
import io.tiyi.events.SecurityEvent;
import io.tiyi.waf.Interruption;
import io.tiyi.waf.MatchedRule;
import io.tiyi.waf.Transaction;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.ArrayList;
import java.util.List;

/** Turns WAF outcomes into security events and Tiyi's block page. */
final class SecurityEvents {
    private final EventLog events;
    private final Counter blocked;
    private final Counter detected;

    SecurityEvents(EventLog events, MetricRegistry metrics) {
        this.events = events;
        this.blocked = metrics.counter("tiyi.waf.requests.blocked");
        this.detected = metrics.counter("tiyi.waf.requests.detected");
    }

    /** Answers an interruption with a page that carries the request id. */
    void deny(HttpServerExchange ex, Interruption i) {
        if ("redirect".equals(i.action()) && i.redirectUrl() != null) {
            ex.setStatusCode(i.status());
            ex.getResponseHeaders().put(Headers.LOCATION, i.redirectUrl());
            ex.endExchange();
            return;
        }
        if ("drop".equals(i.action())) {
            ex.setPersistent(false);
        }
        String why = i.status() == 413 || i.ruleId() == 0 ? i.message() : "request blocked by the web application firewall (rule " + i.ruleId() + ")";
        ErrorPages.send(ex, i.status(), why);
    }

    /** Records a security event for a transaction that matched any rule. */
    void record(HttpServerExchange ex, Transaction tx) {
        List<MatchedRule> m = tx.matchedRules();
        boolean interrupted = tx.interruption().isPresent();
        if (m.isEmpty() && !interrupted) {
            return;
        }
        List<Long> ids = new ArrayList<>(m.size());
        List<String> msgs = new ArrayList<>(m.size());
        for (MatchedRule r : m) {
            ids.add(r.id());
            msgs.add(r.message());
        }
        String matched = m.isEmpty() ? "" : truncate(m.get(0).variable() + "=" + m.get(0).value(), 200);
        String score = tx.variable("TX", "blocking_inbound_anomaly_score");
        if (score == null) {
            score = tx.variable("TX", "anomaly_score");
        }
        int anomaly = 0;
        try {
            anomaly = score == null ? 0 : Integer.parseInt(score.trim());
        } catch (NumberFormatException e) {
            anomaly = 0;
        }
        (interrupted ? blocked : detected).inc();
        String q = ex.getQueryString();
        String path = Exchanges.capped(q == null || q.isEmpty() ? ex.getRequestPath() : ex.getRequestPath() + "?" + q);
        String host = ex.getRequestHeaders().getFirst(Headers.HOST);
        String site = ex.getAttachment(Exchanges.SITE);
        String client = ex.getAttachment(Exchanges.CLIENT_IP);
        String peer = ex.getAttachment(Exchanges.PEER_IP);
        events.offer(new SecurityEvent(System.currentTimeMillis(), Exchanges.requestId(ex), client == null ? "" : client,
                peer == null ? "" : peer, site == null ? "" : site,
                ex.getRequestMethod().toString(), host == null ? "" : host, path, interrupted ? "blocked" : "detected", ex.getStatusCode(), ids, msgs,
                matched, anomaly));
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n);
    }
}
