package io.tiyi.examples.servlet;

import io.tiyi.waf.Interruption;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import io.tiyi.waf.WafMode;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;

/**
 * A Jakarta Servlet {@link Filter} that runs every request through a {@link TiyiWaf}: connection,
 * request line and headers (phase 1), then the body (phase 2), read up to the WAF's limit and
 * handed to the servlet unchanged through {@link ReplayedRequest}. An interruption answers its
 * status and the chain never runs. The response status and headers run phase 3 after the chain,
 * for reporting; the logging phase runs last and feeds the WAF's event listener.
 */
public final class TiyiWafFilter implements Filter {
    private final TiyiWaf waf;

    public TiyiWafFilter(TiyiWaf waf) {
        this.waf = Objects.requireNonNull(waf, "waf");
    }

    // tag::filter[]
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        Transaction tx = waf.newTransaction();
        try {
            tx.processConnection(request.getRemoteAddr(), request.getRemotePort(), request.getLocalAddr(), request.getLocalPort());
            String query = request.getQueryString();
            tx.processUri(query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query, request.getMethod(),
                    request.getProtocol());
            for (String name : Collections.list(request.getHeaderNames())) {
                for (String value : Collections.list(request.getHeaders(name))) {
                    tx.addRequestHeader(name, value);
                }
            }
            if (refused(tx.processRequestHeaders(), response)) {
                return;
            }
            HttpServletRequest forward = request;
            if (tx.wantsRequestBody() && (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null)) {
                InputStream in = request.getInputStream();
                long limit = waf.requestBodyLimit();
                byte[] head = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
                if (head.length > limit && waf.rejectsOversizedRequestBody() && tx.mode() == WafMode.BLOCK) {
                    response.sendError(413, "request body larger than " + limit + " bytes");
                    return;
                }
                if (refused(tx.appendRequestBody(head), response)) {
                    return;
                }
                forward = new ReplayedRequest(request, head, in);
            }
            if (refused(tx.processRequestBody(), response)) {
                return;
            }
            chain.doFilter(forward, response);
            for (String name : response.getHeaderNames()) {
                for (String value : response.getHeaders(name)) {
                    tx.addResponseHeader(name, value);
                }
            }
            tx.processResponseHeaders(response.getStatus(), request.getProtocol());
        } finally {
            tx.processLogging();
        }
    }

    // end::filter[]

    // tag::refused[]
    private static boolean refused(Optional<Interruption> interruption, HttpServletResponse response) throws IOException {
        if (interruption.isEmpty()) {
            return false;
        }
        Interruption i = interruption.get();
        if ("redirect".equals(i.action()) && i.redirectUrl() != null) {
            response.sendRedirect(i.redirectUrl());
        } else {
            response.setStatus(i.status());
            response.setContentType("text/plain; charset=utf-8");
            response.getWriter().print(i.status() + " request blocked by the web application firewall (rule " + i.ruleId() + ")\n");
        }
        return true;
    }
    // end::refused[]
}
