package io.tiyi.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

/**
 * Gives every request an id: a client's {@code X-Request-Id} is kept when it is a plain token
 * (1-128 characters of letters, digits, {@code . _ -}), otherwise replaced. The id goes to the
 * upstream and back to the client, and into every event about the request.
 */
final class RequestIdHandler implements HttpHandler {
    public static final HttpString HEADER = new HttpString("X-Request-Id");

    private final HttpHandler next;

    public RequestIdHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        ex.putAttachment(Exchanges.START, System.nanoTime());
        String id = ex.getRequestHeaders().getFirst(HEADER);
        if (id == null || !valid(id)) {
            id = newId();
            ex.getRequestHeaders().put(HEADER, id);
        }
        ex.putAttachment(Exchanges.REQUEST_ID, id);
        ex.getResponseHeaders().put(HEADER, id);
        ex.addDefaultResponseListener(ErrorPages.INSTANCE);
        next.handleRequest(ex);
    }

    /** 1-128 characters of {@code A-Z a-z 0-9 . _ -}; a loop, not a regular expression, as every request asks. */
    static boolean valid(String id) {
        int n = id.length();
        if (n < 1 || n > 128) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
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
