package io.tiyi.waf.corpus;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Benign traffic of a modern site, generated from a seed so that every run sees the same
 * requests: REST and GraphQL APIs, JSON and NDJSON telemetry batches, CSP and Reporting API
 * reports, analytics beacons, forms with rich text and code snippets, file uploads, searches in
 * several languages, compressed bodies, and the headers browsers and SDKs send with them.
 */
public final class BenignCorpus {
    /** One request: method, URI, headers in order, body (null for none) and the kind it stands for. */
    public record Request(String kind, String method, String uri, Map<String, String> headers, byte[] body) {}

    private static final String[] UAS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
        "okhttp/4.12.0", "Dalvik/2.1.0 (Linux; U; Android 13; SM-S911B Build/TP1A.220624.014)", "axios/1.7.7",
        "python-requests/2.32.3", "Go-http-client/2.0", "ShopApp/5.12.1 (iOS 18.1; iPhone15,2)",
    };
    private static final String[] LANGS = {"en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", "ja-JP,ja;q=0.9,en;q=0.7",
        "zh-CN,zh;q=0.9", "es-ES,es;q=0.9", "ru-RU,ru;q=0.9,en;q=0.6", "ar-SA,ar;q=0.9", "pt-BR,pt;q=0.9", "ko-KR,ko;q=0.9"};
    private static final String[] SEARCHES = {
        "running shoes", "wireless headphones noise cancelling", "how to reset password", "order status 10023", "Kaffeemaschine mit Mahlwerk",
        "chaussures de randonnée femme", "ワイヤレスイヤホン", "蓝牙耳机 降噪", "зимняя куртка мужская", "حذاء رياضي", "tênis de corrida",
        "노트북 가방", "zapatillas trail", "gift card 50$", "c++ std::vector erase", "select a size", "drop-down menu not working",
        "where is my order?", "return policy (EU)", "500 error on checkout", "script for onboarding", "union station parking", "1/2\" pipe fitting",
        "50% off", "O'Reilly books", "rock & roll t-shirt", "<3 valentine card", "cat food", "etc. accessories", "alert bracelet", "or else",
    };
    /** Sentences as people write them in reviews, comments, bios and log lines, some with words that look like commands or SQL. */
    private static final String[] SENTENCES = {
        "Great fit and the colour is exactly as shown.", "Arrived two days late but the box was intact.", "My cat loves sleeping on it.",
        "Would you please update the delivery address on my last order?", "Select a size before adding the item to your cart.",
        "I had to drop the price alert because I already bought it.", "Time to order a second pair!", "Date of purchase: 3 November.",
        "The echo in the living room is gone since we put the rug down.", "Works fine with Python 3.12 and Node 20 on my laptop.",
        "Please delete my old account, I created a new one.", "Can I return it after 30 days?", "Where is the union jack version?",
        "Sleep quality improved from the first night.", "Customer service told me to wait a week.", "Table and chairs were easy to assemble.",
        "Insert the batteries before switching it on.", "The shell is hard plastic, the lining is soft.", "Best bass I have heard at this price.",
        "Ordered for my husband, he wears it all the time.", "The home button stopped working after a month.", "Cash on delivery, please.",
        "Not bad, not great.", "Exactly what I was looking for :)", "Five stars from me and my whole family!", "Fast shipping to Montréal.",
        "Hält warm und sieht gut aus.", "Très bon produit, je recommande.", "とても使いやすいです。", "质量很好，物流也快。", "Отличный товар, спасибо!",
        "User admin reported the checkout page as slow.", "Payment failed with card ending 4242, retry succeeded.", "Session expired, redirecting to login.",
        "Cache miss for key product:4711, loading from database.", "Script loaded in 120 ms.", "File upload finished: 3 files, 2.4 MB.",
        "Path /account/orders not found for user 88.", "Exec summary attached for the Q4 review.", "Run the update from the settings page.",
    };
    private static final String[] NAMES = {"Ada Lovelace", "José Álvarez", "Zoë O'Brien", "François Dupont", "山田 太郎", "李小龙", "Иван Петров",
        "محمد علي", "Søren Kierkegaard", "Anne-Marie D'Arcy", "Bob \"Bobby\" Tables", "Dr. Jane Smith, PhD"};
    private static final String[] RICH = {
        "<p>Great product, <strong>fast delivery</strong>!</p><ul><li>fits well</li><li>colour as shown</li></ul>",
        "<p>I ordered on Monday &amp; it arrived Wednesday. <em>Would buy again</em> 👍</p>",
        "<h2>Update</h2><p>After 3 months the sole wore out. See <a href=\"https://shop.test/returns\">returns</a>.</p>",
        "<blockquote>Best purchase this year</blockquote><p>5/5 &mdash; recommended</p>",
        "<p><img src=\"https://cdn.shop.test/u/123/photo.jpg\" alt=\"my photo\" width=\"300\"></p>",
        "<table><tr><td>Size</td><td>42</td></tr><tr><td>Width</td><td>normal</td></tr></table>",
    };
    private static final String[] SNIPPETS = {
        "Here is my config:\n```yaml\nserver:\n  port: 8080\n  host: 0.0.0.0\n```",
        "Try `git commit -m \"fix\"` and then `git push origin main`.",
        "In Java: `List<String> names = new ArrayList<>(); names.add(\"x\");`",
        "The function returns `x > 0 ? x : -x` for any integer.",
        "My setup: Ubuntu 24.04, Node 20, npm 10. Running `npm install` fails with EACCES.",
        "Use the API like this: GET /api/v2/items?limit=20&offset=40",
        "Python: `for i in range(10): print(i)`",
        "CSS: `.btn { color: #fff; background: linear-gradient(#06f, #039); }`",
    };

    private final Random r;

    public BenignCorpus(long seed) {
        this.r = new Random(seed);
    }

    /** {@code n} requests, in a mix weighted as a busy site with a web front end and mobile apps sees them. */
    public List<Request> generate(int n) {
        List<Request> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(100);
            out.add(k < 22 ? page() : k < 34 ? search() : k < 46 ? restGet() : k < 56 ? restWrite() : k < 62 ? graphql() : k < 70 ? telemetry()
                    : k < 74 ? cspReport() : k < 80 ? beacon() : k < 87 ? form() : k < 91 ? upload() : k < 95 ? compressed() : k < 98 ? login()
                    : ndjson());
        }
        return out;
    }

    private Map<String, String> browser(String accept) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("User-Agent", pick(UAS));
        h.put("Accept", accept);
        h.put("Accept-Language", pick(LANGS));
        h.put("Accept-Encoding", "gzip, deflate, br, zstd");
        if (r.nextInt(3) > 0) {
            h.put("Cookie", "_ga=GA1.2." + r.nextInt(1_000_000_000) + "." + (1_700_000_000 + r.nextInt(30_000_000)) + "; session=" + token(32)
                    + (r.nextBoolean() ? "; cart_id=" + r.nextInt(100000) + "; consent=%7B%22analytics%22%3Atrue%2C%22ads%22%3Afalse%7D" : "")
                    + (r.nextBoolean() ? "; theme=dark; lang=" + pick(new String[] {"en", "de", "fr", "ja"}) : ""));
        }
        if (r.nextInt(4) > 0) {
            h.put("Referer", "https://shop.test/" + pick(new String[] {"", "products?category=shoes&page=2", "search?q=" + enc(pick(SEARCHES)),
                "cart", "blog/2026/11/winter-sale?utm_source=newsletter&utm_medium=email&utm_campaign=bf-2026",
                "account/orders/" + r.nextInt(99999)}));
        }
        if (r.nextInt(5) == 0) {
            h.put("Sec-Fetch-Site", "same-origin");
            h.put("Sec-Fetch-Mode", "navigate");
            h.put("Sec-Ch-Ua", "\"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"");
        }
        return h;
    }

    private Map<String, String> api(String contentType) {
        Map<String, String> h = browser("application/json, text/plain, */*");
        h.put("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9." + token(40) + "." + token(43));
        if (contentType != null) {
            h.put("Content-Type", contentType);
        }
        if (r.nextBoolean()) {
            h.put("X-Request-Id", java.util.UUID.nameUUIDFromBytes(token(8).getBytes(StandardCharsets.UTF_8)).toString());
        }
        if (r.nextBoolean()) {
            h.put("Origin", "https://shop.test");
        }
        return h;
    }

    private Request page() {
        String path = pick(new String[] {"/", "/products", "/products/" + slug() + "-" + r.nextInt(9999), "/blog/" + slug(), "/help/shipping",
            "/cart", "/account/orders", "/static/app." + token(8) + ".js", "/static/css/main." + token(8) + ".css", "/images/p/" + r.nextInt(99999) + ".webp",
            "/favicon.ico", "/robots.txt", "/sitemap.xml", "/de/produkte/" + slug(), "/ja/商品/" + r.nextInt(999)});
        String q = r.nextInt(3) == 0 ? "?utm_source=" + pick(new String[] {"google", "newsletter", "facebook"}) + "&utm_medium=cpc&gclid=" + token(24)
                : r.nextInt(4) == 0 ? "?page=" + r.nextInt(20) + "&sort=" + pick(new String[] {"price_asc", "price_desc", "newest", "rating"}) : "";
        return new Request("page", "GET", encPath(path) + q, browser("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"), null);
    }

    private Request search() {
        String q = pick(SEARCHES);
        String uri = "/search?q=" + enc(q) + (r.nextBoolean() ? "&category=" + pick(new String[] {"all", "shoes", "electronics", "home"}) : "")
                + (r.nextBoolean() ? "&price_min=" + r.nextInt(50) + "&price_max=" + (50 + r.nextInt(500)) : "");
        return new Request("search", "GET", uri, browser("text/html,*/*;q=0.8"), null);
    }

    private Request restGet() {
        String uri = pick(new String[] {"/api/v1/products?ids=" + r.nextInt(999) + "," + r.nextInt(999) + "," + r.nextInt(999),
            "/api/v1/products/" + r.nextInt(99999) + "/reviews?limit=20&offset=" + r.nextInt(200),
            "/api/v1/users/me", "/api/v1/orders?status=shipped&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z",
            "/api/v1/inventory?sku=" + token(6).toUpperCase() + "-" + r.nextInt(99) + "&warehouse=eu-west",
            "/api/v2/search?query=" + enc(pick(SEARCHES)) + "&fields=id,name,price&filter[brand]=" + enc(pick(new String[] {"acme", "Müller & Söhne"})),
            "/api/v1/stores/nearby?lat=52.52" + r.nextInt(99) + "&lng=13.40" + r.nextInt(99) + "&radius=5km"});
        return new Request("rest", "GET", uri, api(null), null);
    }

    private Request restWrite() {
        String body;
        String uri;
        String method = pick(new String[] {"POST", "PUT", "PATCH", "POST"});
        switch (r.nextInt(4)) {
            case 0 -> {
                uri = "/api/v1/orders";
                body = "{\"items\":[{\"sku\":\"" + token(6).toUpperCase() + "\",\"qty\":" + (1 + r.nextInt(3)) + ",\"price\":" + r.nextInt(200) + "."
                        + r.nextInt(99) + "}],\"shipping\":{\"name\":\"" + json(pick(NAMES)) + "\",\"street\":\"" + (1 + r.nextInt(200))
                        + " Main Street, Apt. 4B\",\"city\":\"" + pick(new String[] {"Berlin", "São Paulo", "Zürich", "東京", "New York"})
                        + "\",\"zip\":\"" + r.nextInt(99999) + "\",\"phone\":\"+49 (30) " + r.nextInt(9999999) + "\"},\"note\":\""
                        + json(sentence()) + "\",\"coupon\":null,\"gift\":" + r.nextBoolean() + "}";
            }
            case 1 -> {
                uri = "/api/v1/users/me";
                method = "PATCH";
                body = "{\"display_name\":\"" + json(pick(NAMES)) + "\",\"bio\":\"" + json(sentence() + " " + sentence())
                        + "\",\"preferences\":{\"newsletter\":true,\"language\":\"de\",\"timezone\":\"Europe/Berlin\"}}";
            }
            case 2 -> {
                uri = "/api/v1/products/" + r.nextInt(99999) + "/reviews";
                body = "{\"rating\":" + (1 + r.nextInt(5)) + ",\"title\":\"" + json(sentence()) + "\",\"body\":\"" + json(pick(RICH)) + "\"}";
            }
            default -> {
                uri = "/api/v1/carts/" + token(12);
                method = "PUT";
                body = "[{\"op\":\"replace\",\"path\":\"/items/0/qty\",\"value\":" + (1 + r.nextInt(5)) + "},{\"op\":\"add\",\"path\":\"/notes\",\"value\":\""
                        + json(sentence()) + "\"}]";
            }
        }
        return new Request("rest-write", method, uri, api("application/json"), bytes(body));
    }

    private Request graphql() {
        String body = pick(new String[] {
            "{\"operationName\":\"Product\",\"query\":\"query Product($id: ID!) { product(id: $id) { id name price { amount currency } images(first: 4) { url alt } reviews(first: 10, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { rating title } } } } }\",\"variables\":{\"id\":\"" + r.nextInt(99999) + "\"}}",
            "{\"query\":\"mutation AddToCart($input: AddToCartInput!) { addToCart(input: $input) { cart { id totalQuantity } errors { field message } } }\",\"variables\":{\"input\":{\"sku\":\"" + token(6) + "\",\"quantity\":1}}}",
            "{\"query\":\"{ me { id email orders(last: 5) { nodes { id status total } } } }\"}",
            "{\"query\":\"query Search($q: String!, $after: String) { search(query: $q, first: 20, after: $after) { pageInfo { hasNextPage endCursor } nodes { ... on Product { id name } } } }\",\"variables\":{\"q\":\"" + json(pick(SEARCHES)) + "\",\"after\":null}}",
        });
        return new Request("graphql", "POST", "/graphql", api("application/json"), bytes(body));
    }

    private Request telemetry() {
        StringBuilder b = new StringBuilder("[");
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"event\":\"").append(pick(new String[] {"page_view", "click", "scroll", "add_to_cart", "web_vitals", "error", "select_item"}))
                    .append("\",\"ts\":").append(1_765_000_000_000L + r.nextInt(100_000_000)).append(",\"session\":\"").append(token(16))
                    .append("\",\"props\":{\"path\":\"/products/").append(slug()).append("\",\"referrer\":\"https://www.google.com/\",\"lcp\":")
                    .append(r.nextInt(4000)).append(",\"cls\":0.0").append(r.nextInt(9)).append(",\"message\":\"")
                    .append(json(pick(new String[] {"TypeError: Cannot read properties of undefined (reading 'map')", "ok", "select size first",
                        "NetworkError when attempting to fetch resource.", "ResizeObserver loop completed with undelivered notifications."})))
                    .append("\",\"selector\":\"div.product-card > button.add[data-sku='").append(token(5)).append("']\"}}");
        }
        b.append(']');
        return new Request("telemetry", "POST", "/collect/v1/batch", api("application/json"), bytes(b.toString()));
    }

    private Request ndjson() {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
            b.append("{\"level\":\"").append(pick(new String[] {"info", "warn", "error"})).append("\",\"msg\":\"").append(json(sentence()))
                    .append("\",\"logger\":\"app.checkout\",\"trace_id\":\"").append(token(32)).append("\"}\n");
        }
        return new Request("ndjson", "POST", "/ingest/logs", api("application/x-ndjson"), bytes(b.toString()));
    }

    private Request cspReport() {
        boolean modern = r.nextBoolean();
        String blocked = pick(new String[] {"inline", "eval", "https://www.googletagmanager.com/gtm.js?id=GTM-" + token(6).toUpperCase(),
            "https://fonts.gstatic.com/s/roboto/v30/font.woff2", "data", "wasm-eval"});
        String body = modern
                ? "[{\"age\":" + r.nextInt(60000) + ",\"body\":{\"blockedURL\":\"" + blocked + "\",\"disposition\":\"enforce\",\"documentURL\":\"https://shop.test/checkout\","
                        + "\"effectiveDirective\":\"script-src-elem\",\"originalPolicy\":\"default-src 'self'; script-src 'self' 'nonce-" + token(16)
                        + "'; report-to csp\",\"sample\":\"\",\"statusCode\":200},\"type\":\"csp-violation\",\"url\":\"https://shop.test/checkout\",\"user_agent\":\""
                        + pick(UAS) + "\"}]"
                : "{\"csp-report\":{\"document-uri\":\"https://shop.test/products/" + slug() + "\",\"referrer\":\"\",\"violated-directive\":\"script-src-elem\","
                        + "\"effective-directive\":\"script-src-elem\",\"original-policy\":\"default-src 'self'; script-src 'self'; object-src 'none'; report-uri /csp\","
                        + "\"disposition\":\"enforce\",\"blocked-uri\":\"" + blocked + "\",\"line-number\":" + r.nextInt(300) + ",\"source-file\":\"https://shop.test/static/app.js\","
                        + "\"status-code\":200,\"script-sample\":\"\"}}";
        Map<String, String> h = browser("*/*");
        h.put("Content-Type", modern ? "application/reports+json" : "application/csp-report");
        return new Request("csp", "POST", modern ? "/reports" : "/csp", h, bytes(body));
    }

    private Request beacon() {
        Map<String, String> h = browser("*/*");
        h.put("Content-Type", "text/plain;charset=UTF-8");
        String body = "{\"v\":2,\"t\":\"" + pick(new String[] {"pageview", "timing", "event"}) + "\",\"dl\":\"https://shop.test/products/" + slug()
                + "\",\"dt\":\"" + json(sentence()) + "\",\"sr\":\"1920x1080\",\"ul\":\"de-de\",\"cid\":\"" + r.nextInt(1_000_000_000) + "."
                + r.nextInt(1_000_000_000) + "\",\"ttfb\":" + r.nextInt(900) + "}";
        return new Request("beacon", "POST", "/beacon", h, bytes(body));
    }

    private Request form() {
        Map<String, String> h = browser("text/html,*/*;q=0.8");
        h.put("Content-Type", "application/x-www-form-urlencoded");
        String kind = pick(new String[] {"review", "contact", "comment", "address"});
        String body = switch (kind) {
            case "review" -> "rating=" + (1 + r.nextInt(5)) + "&title=" + enc(sentence()) + "&body=" + enc(pick(RICH)) + "&csrf=" + token(43);
            case "contact" -> "name=" + enc(pick(NAMES)) + "&email=" + enc(token(6) + "@example.test") + "&subject=" + enc(sentence())
                    + "&message=" + enc(sentence() + "\r\n\r\n" + pick(SNIPPETS) + "\r\n\r\nThanks,\r\n" + pick(NAMES)) + "&csrf=" + token(43);
            case "comment" -> "post_id=" + r.nextInt(9999) + "&parent=0&comment=" + enc(sentence() + " " + sentence()) + "&notify=on";
            default -> "first_name=" + enc(pick(NAMES).split(" ")[0]) + "&last_name=" + enc("O'Neil") + "&line1=" + enc((1 + r.nextInt(99)) + " Rue de l'Église")
                    + "&line2=" + enc("c/o Müller, 3rd floor") + "&city=" + enc("Montréal") + "&postcode=H2X+1Y4&country=CA&phone=" + enc("+1 (514) 555-0199");
        };
        return new Request("form", "POST", "/" + kind, h, bytes(body));
    }

    private Request upload() {
        String boundary = "----WebKitFormBoundary" + token(16);
        String[] file = pick(new String[][] {{"IMG_" + r.nextInt(9999) + ".jpg", "image/jpeg"}, {"scan 2026-11.pdf", "application/pdf"},
            {"export.csv", "text/csv"}, {"avatar.png", "image/png"}, {"CV_Jane_Smith.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}});
        byte[] content = switch (file[1]) {
            case "image/jpeg" -> binary(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0}, 2000 + r.nextInt(6000));
            case "image/png" -> binary(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a}, 1000 + r.nextInt(4000));
            case "application/pdf" -> bytes("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + "stream\n" + sentence() + "\nendstream\n%%EOF");
            case "text/csv" -> bytes("id,name,email,amount\n1,\"" + pick(NAMES) + "\",a@example.test,12.50\n2,\"Smith, John\",b@example.test,-3.00\n");
            default -> binary(new byte[] {'P', 'K', 3, 4}, 3000 + r.nextInt(3000));
        };
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        write(b, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n" + sentence() + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file[0] + "\"\r\nContent-Type: " + file[1] + "\r\n\r\n");
        b.writeBytes(content);
        write(b, "\r\n--" + boundary + "--\r\n");
        Map<String, String> h = browser("application/json");
        h.put("Content-Type", "multipart/form-data; boundary=" + boundary);
        return new Request("upload", "POST", "/api/v1/uploads", h, b.toByteArray());
    }

    private Request compressed() {
        Request inner = r.nextBoolean() ? telemetry() : restWrite();
        Map<String, String> h = new LinkedHashMap<>(inner.headers());
        h.put("Content-Encoding", "gzip");
        return new Request("gzip-" + inner.kind(), inner.method(), inner.uri(), h, io.tiyi.testsupport.Gzip.gzip(inner.body()));
    }

    private Request login() {
        Map<String, String> h = browser("text/html,*/*;q=0.8");
        h.put("Content-Type", "application/x-www-form-urlencoded");
        return new Request("login", "POST", "/login", h, bytes("username=" + enc(token(8) + "@example.test") + "&password=" + enc(token(10) + "!#$%&'()*+,-./")
                + "&remember=on&next=" + enc("/account/orders?page=2")));
    }

    private String sentence() {
        return pick(SENTENCES);
    }

    private String slug() {
        return pick(SLUGS) + "-" + pick(SLUGS) + "-" + r.nextInt(100);
    }

    private static final String[] SLUGS = {"winter", "jacket", "running", "shoes", "wireless", "headphones", "coffee", "maker", "blue", "red",
        "sale", "gift", "guide", "kids", "garden", "chair", "lamp", "organic", "cotton", "shirt", "trail", "pro", "mini", "smart", "watch"};

    private String token(int n) {
        String a = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(a.charAt(r.nextInt(a.length())));
        }
        return b.toString();
    }

    private byte[] binary(byte[] magic, int n) {
        byte[] b = new byte[magic.length + n];
        System.arraycopy(magic, 0, b, 0, magic.length);
        for (int i = magic.length; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private <T> T pick(T[] a) {
        return a[r.nextInt(a.length)];
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String encPath(String p) {
        StringBuilder b = new StringBuilder();
        for (char c : p.toCharArray()) {
            b.append(c < 0x80 ? String.valueOf(c) : URLEncoder.encode(String.valueOf(c), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void write(ByteArrayOutputStream b, String s) {
        b.writeBytes(bytes(s));
    }

}
