package io.tiyi.testsupport;

import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;

/** Requests run through a {@link TiyiWaf} in-process, as a browser on the internet sends them to shop.test. */
public final class WafRequests {
    /** A current desktop browser's User-Agent. */
    public static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    private WafRequests() {}

    /**
     * A POST of {@code body} to {@code uri} with {@code contentType} and, unless null,
     * {@code contentEncoding}: headers, then the body unless the headers were refused, then its
     * phase unless the body was.
     */
    public static Transaction post(TiyiWaf waf, String uri, String contentType, String contentEncoding, byte[] body) {
        Transaction tx = waf.newTransaction();
        tx.processConnection("203.0.113.7", 40000, "10.0.0.1", 443);
        tx.processUri(uri, "POST", "HTTP/1.1");
        tx.addRequestHeader("Host", "shop.test");
        tx.addRequestHeader("User-Agent", BROWSER);
        tx.addRequestHeader("Accept", "*/*");
        tx.addRequestHeader("Content-Type", contentType);
        if (contentEncoding != null) {
            tx.addRequestHeader("Content-Encoding", contentEncoding);
        }
        tx.addRequestHeader("Content-Length", Integer.toString(body.length));
        if (tx.processRequestHeaders().isEmpty() && tx.appendRequestBody(body).isEmpty()) {
            tx.processRequestBody();
        }
        return tx;
    }
}
