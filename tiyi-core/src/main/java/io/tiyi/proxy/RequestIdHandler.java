package io.tiyi.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.util.regex.Pattern;

/**
 * Gives every request an id: a client's {@code X-Request-Id} is kept when it is a plain token
 * (1-128 characters of letters, digits, {@code . _ -}), otherwise replaced. The id goes to the
 * upstream and back to the client, and into every event about the request.
 */
final class RequestIdHandler implements HttpHandler {
    public static final HttpString HEADER = new HttpString("X-Request-Id");
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final HttpHandler next;

    public RequestIdHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        ex.putAttachment(Exchanges.START, System.nanoTime());
        String id = ex.getRequestHeaders().getFirst(HEADER);
        if (id == null || !VALID.matcher(id).matches()) {
            id = newId();
            ex.getRequestHeaders().put(HEADER, id);
        }
        ex.putAttachment(Exchanges.REQUEST_ID, id);
        ex.getResponseHeaders().put(HEADER, id);
        ex.addDefaultResponseListener(ErrorPages.INSTANCE);
        next.handleRequest(ex);
    }

    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    /** 16 characters, 96 random bits: unique enough to find a request, and cheap (ids are not secrets). */
    static String newId() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        long a = r.nextLong();
        long b = r.nextLong();
        char[] c = new char[16];
        for (int i = 0; i < 10; i++) {
            c[i] = ALPHABET[(int) (a >>> (i * 6)) & 63];
        }
        for (int i = 10; i < 16; i++) {
            c[i] = ALPHABET[(int) (b >>> ((i - 10) * 6)) & 63];
        }
        return new String(c);
    }

    @Override
    public String toString() {
        return "request-id() -> " + next;
    }
}
