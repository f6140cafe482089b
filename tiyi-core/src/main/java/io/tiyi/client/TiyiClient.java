package io.tiyi.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.ErrorCode;
import io.tiyi.ProgressListener;
import io.tiyi.TiyiException;
import io.tiyi.client.rpc.Rpc;
import io.tiyi.internal.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A client of a node's RPC API, as the CLI, host applications and tests use it.
 *
 * <pre>{@code
 * TiyiClient api = TiyiClient.of("http://127.0.0.1:8080", token);
 * JsonNode users = api.call(UsersService.LIST, new UsersService.ListRequest(null, null, null));
 * }</pre>
 *
 * Methods are named by the {@link Rpc} descriptors of {@link io.tiyi.client.rpc}, the contract the
 * node serves, so a request is the record the node reads.
 *
 * Thread-safe. Errors from the node arrive as {@link TiyiApiException} with the node's code and
 * message; an unreachable node as a {@link TiyiException} that names the URL.
 */
public final class TiyiClient {
    /** One HTTP client (and its selector thread) for every TiyiClient in the JVM; clients are cheap views over it. */
    private static final HttpClient SHARED = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    private final String baseUrl;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    private TiyiClient(String baseUrl, String token, HttpClient http, Duration timeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        this.http = http;
        this.timeout = timeout;
    }

    /**
     * @param baseUrl the admin API, for example {@code http://127.0.0.1:8080}
     * @param bearerToken an access token or local admin credential, or null for public methods only
     */
    public static TiyiClient of(String baseUrl, String bearerToken) {
        return of(baseUrl, bearerToken, Duration.ofSeconds(60));
    }

    /** A client whose calls give up after {@code timeout} (a long poll needs more than its own wait). */
    public static TiyiClient of(String baseUrl, String bearerToken, Duration timeout) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        URI u = URI.create(baseUrl);
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw TiyiException.invalid("API URL must look like http://host:port, got '" + baseUrl + "'");
        }
        return new TiyiClient(baseUrl, bearerToken, SHARED, timeout);
    }

    /** The same node with another token. */
    public TiyiClient withToken(String bearerToken) {
        return new TiyiClient(baseUrl, bearerToken, http, timeout);
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Calls {@code method} with {@code request} and reads the answer as its response type. */
    public <Q, R> R call(Rpc<Q, R> method, Q request) {
        Objects.requireNonNull(request, "request");
        return read(method, raw(method.service(), method.method(), request));
    }

    /**
     * Calls {@code tiyi.v1.<service>/<method>} with any JSON-encodable request, outside the typed
     * contract: for contract tests that send JSON the records cannot express.
     */
    public JsonNode raw(String service, String method, Object request) {
        return send(service, method, HttpRequest.BodyPublishers.ofString(Json.write(request == null ? java.util.Map.of() : request)));
    }

    private static <R> R read(Rpc<?, R> method, JsonNode body) {
        if (method.responseType() == JsonNode.class) {
            return method.responseType().cast(body);
        }
        try {
            return Json.MAPPER.treeToValue(body, method.responseType());
        } catch (IOException e) {
            throw new TiyiException("unexpected response from " + method.service() + "/" + method.method() + ": " + e.getMessage());
        }
    }

    /**
     * Reads every item of a paged list method (one that takes {@code offset} and {@code limit}
     * and answers {@code total}), page after page.
     *
     * @param itemsKey the response field that holds the items, for example {@code sites}
     */
    public com.fasterxml.jackson.databind.node.ArrayNode listAll(Rpc<?, JsonNode> method, String itemsKey) {
        com.fasterxml.jackson.databind.node.ArrayNode all = Json.MAPPER.createArrayNode();
        int offset = 0;
        while (true) {
            // Every list request has offset and limit; the other fields (filters) stay unset.
            JsonNode page = raw(method.service(), method.method(), java.util.Map.of("offset", offset, "limit", 1000));
            JsonNode items = page.path(itemsKey);
            items.forEach(all::add);
            offset += items.size();
            if (items.size() == 0 || offset >= page.path("total").asInt(offset)) {
                return all;
            }
        }
    }

    /**
     * Calls a method whose request is {@code {"<field>": <the file's bytes, base64>}}, streamed
     * from disk: a release tarball is tens of MiB, and the CLI should not hold it three times.
     */
    public <Q, R> R callWithFile(Rpc<Q, R> method, String field, java.nio.file.Path file) {
        return callWithFile(method, field, file, ProgressListener.NONE);
    }

    /** {@link #callWithFile(Rpc, String, java.nio.file.Path)}, telling {@code progress} the bytes encoded and sent. */
    public <Q, R> R callWithFile(Rpc<Q, R> method, String field, java.nio.file.Path file, ProgressListener progress) {
        java.nio.file.Path body = null;
        try {
            body = java.nio.file.Files.createTempFile("tiyi-upload-", ".json");
            try (java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(body))) {
                out.write(("{\"" + field + "\":\"").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                try (java.io.OutputStream b64 = java.util.Base64.getEncoder().wrap(new java.io.FilterOutputStream(out) {
                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                }); java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
                    long size = java.nio.file.Files.size(file);
                    progress.step("encoding " + file.getFileName(), ProgressListener.Unit.BYTES);
                    byte[] buf = new byte[1 << 16];
                    long done = 0;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        b64.write(buf, 0, n);
                        done += n;
                        progress.advance(done, size);
                    }
                }
                out.write("\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            progress.step("uploading " + file.getFileName(), ProgressListener.Unit.BYTES);
            return read(method, send(method.service(), method.method(), counting(HttpRequest.BodyPublishers.ofFile(body), progress, java.nio.file.Files.size(file))));
        } catch (IOException e) {
            throw new TiyiException("cannot read " + file + ": " + e.getMessage());
        } finally {
            if (body != null) {
                try {
                    java.nio.file.Files.deleteIfExists(body);
                } catch (IOException ignored) {
                    // A temp file left behind is harmless.
                }
            }
        }
    }

    /**
     * Calls a method that answers with bytes (an artifact) and writes them to {@code out}; returns
     * the SHA-256 the node announced. Errors come back as JSON, as from {@link #call(Rpc, Object)}.
     */
    public <Q> String download(Rpc<Q, ?> method, Q request, java.nio.file.Path out) {
        return download(method.service(), method.method(), request, out);
    }

    private String download(String service, String method, Object request, java.nio.file.Path out) {
        HttpResponse<java.nio.file.Path> resp = rawExchange(service, method, request, HttpResponse.BodyHandlers.ofFile(out), "download from");
        if (resp.statusCode() != 200) {
            byte[] body;
            try {
                body = java.nio.file.Files.readAllBytes(out);
            } catch (IOException e) {
                body = new byte[0];
            }
            throw apiError(resp.statusCode(), body);
        }
        return resp.headers().firstValue("X-Tiyi-Sha256").orElse(null);
    }

    /**
     * Calls a method that answers with bytes (a range of a snapshot or blob) and returns them; for
     * answers of bounded size only. Errors come back as JSON, as from {@link #call(Rpc, Object)}.
     */
    public <Q> byte[] bytes(Rpc<Q, ?> method, Q request) {
        HttpResponse<byte[]> resp = rawExchange(method.service(), method.method(), request, HttpResponse.BodyHandlers.ofByteArray(),
                "read from");
        if (resp.statusCode() != 200) {
            throw apiError(resp.statusCode(), resp.body());
        }
        return resp.body();
    }

    /** Posts {@code request} as JSON to a method whose answer is bytes, not JSON; {@code doing} names the call in errors. */
    private <T> HttpResponse<T> rawExchange(String service, String method, Object request, HttpResponse.BodyHandler<T> handler, String doing) {
        String url = baseUrl + "/rpc/tiyi.v1." + service + "/" + method;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(request)));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        try {
            return http.send(b.build(), handler);
        } catch (IOException e) {
            throw new TiyiException(ErrorCode.UNAVAILABLE, "cannot " + doing + " the Tiyi API at " + baseUrl + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TiyiException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    /** The error a raw-answer method's non-200 answer carries: its JSON {@code code} and {@code message} when it has them. */
    private static TiyiApiException apiError(int status, byte[] body) {
        String code = "internal";
        String msg = "HTTP " + status;
        try {
            JsonNode json = Json.MAPPER.readTree(body);
            code = json.path("code").asText(code);
            msg = json.path("message").asText(msg);
        } catch (IOException | RuntimeException ignored) {
            // Not JSON: the status says it.
        }
        return new TiyiApiException(status, code, msg);
    }

    /**
     * {@code publisher}, telling {@code progress} how much is handed to the connection (scaled to
     * {@code shownTotal}, the file's size rather than its base64's), then that the answer is awaited.
     */
    private static HttpRequest.BodyPublisher counting(HttpRequest.BodyPublisher publisher, ProgressListener progress, long shownTotal) {
        if (progress == ProgressListener.NONE) {
            return publisher;
        }
        long total = publisher.contentLength();
        return new HttpRequest.BodyPublisher() {
            @Override
            public long contentLength() {
                return total;
            }

            @Override
            public void subscribe(java.util.concurrent.Flow.Subscriber<? super java.nio.ByteBuffer> subscriber) {
                publisher.subscribe(new java.util.concurrent.Flow.Subscriber<java.nio.ByteBuffer>() {
                    private long sent;

                    @Override
                    public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
                        subscriber.onSubscribe(subscription);
                    }

                    @Override
                    public void onNext(java.nio.ByteBuffer item) {
                        sent += item.remaining();
                        subscriber.onNext(item);
                        progress.advance(total > 0 ? (long) ((double) sent / total * shownTotal) : sent, total > 0 ? shownTotal : -1);
                    }

                    @Override
                    public void onError(Throwable throwable) {
                        subscriber.onError(throwable);
                    }

                    @Override
                    public void onComplete() {
                        subscriber.onComplete();
                        progress.step("waiting for the node's answer");
                    }
                });
            }
        };
    }

    private JsonNode send(String service, String method, HttpRequest.BodyPublisher publisher) {
        String url = baseUrl + "/rpc/tiyi.v1." + service + "/" + method;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("content-type", "application/json")
                .POST(publisher);
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new TiyiException(ErrorCode.UNAVAILABLE, "cannot reach the Tiyi API at " + baseUrl
                    + ": connection refused; is the node running? (set --api or TIYI_API)");
        } catch (HttpTimeoutException e) {
            throw new TiyiException(ErrorCode.UNAVAILABLE, "the Tiyi API at " + baseUrl + " did not answer in time");
        } catch (IOException e) {
            throw new TiyiException(ErrorCode.UNAVAILABLE, "cannot reach the Tiyi API at " + baseUrl + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TiyiException(ErrorCode.UNAVAILABLE, "interrupted");
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(resp.body());
        } catch (IOException e) {
            throw new TiyiApiException(resp.statusCode(), "internal", "the node at " + baseUrl + " answered HTTP " + resp.statusCode()
                    + " without a JSON body; is this a Tiyi admin API?");
        }
        if (resp.statusCode() != 200) {
            String code = body != null && body.hasNonNull("code") ? body.get("code").asText() : "internal";
            String msg = body != null && body.hasNonNull("message") ? body.get("message").asText() : "HTTP " + resp.statusCode();
            throw new TiyiApiException(resp.statusCode(), code, msg);
        }
        return body;
    }
}
