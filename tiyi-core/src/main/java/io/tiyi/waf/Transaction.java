package io.tiyi.waf;

import io.tiyi.waf.body.ArgumentLimit;
import io.tiyi.waf.body.ContentCoding;
import io.tiyi.waf.body.ContentType;
import io.tiyi.waf.body.JsonBody;
import io.tiyi.waf.body.Multipart;
import io.tiyi.waf.body.UrlEncoded;
import io.tiyi.waf.body.XmlBody;
import io.tiyi.waf.engine.EngineMode;
import io.tiyi.waf.engine.RuleSet;
import io.tiyi.waf.engine.TxState;
import io.tiyi.waf.variables.KeyValues;
import io.tiyi.waf.variables.TxVariables;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One request/response through the WAF, transport-neutral. Feed it in order: connection, request
 * line, headers ({@link #processRequestHeaders} runs phase 1), body chunks
 * ({@link #processRequestBody} runs phase 2), response headers (phase 3), response body
 * (phase 4), then {@link #processLogging} (phase 5). Each {@code process*} returns the
 * interruption once a disruptive rule matched; after that, later phases do not run.
 *
 * <p>Strings passed in are treated as bytes: header values and URIs should be the bytes that
 * arrived, decoded as ISO-8859-1. Not thread-safe: one thread at a time.
 */
public final class Transaction {
    private static final Logger LOG = LoggerFactory.getLogger(Transaction.class);
    private static final AtomicLong LISTENER_FAILURES = new AtomicLong();
    /** Content types of JSON values one per line, parsed by the JSONL processor. */
    private static final java.util.regex.Pattern JSON_LINES =
            java.util.regex.Pattern.compile("application/(?:x-)?(?:ndjson|jsonl|json-lines|jsonlines)(?![a-z0-9.+-])");

    private final TxState state;
    private final WafEventListener listener;
    private final String id;
    private final TxVariables v;
    private final String argumentSeparator;
    private final ByteArrayOutputStream requestBody = new ByteArrayOutputStream();
    private final ByteArrayOutputStream responseBody = new ByteArrayOutputStream();
    private boolean requestBodyTruncated;
    /** The request's Content-Encoding headers, joined; null without one. */
    private String requestContentEncoding;
    private boolean responseBodyTruncated;
    private String requestContentType = "";
    /** A second Content-Type header that differs from the first: which one a backend reads is anyone's guess. */
    private boolean conflictingContentTypes;
    private final ArgumentLimit argumentLimit;
    private String responseContentType = "";
    private KeyValues requestHeaders;

    Transaction(RuleSet rules, WafMode mode, String id, WafEventListener listener, WafLimits limits) {
        this.state = TxState.start(rules);
        state.budget(limits.budget(), limits.regexSteps(), limits.blockOverBudget());
        this.listener = listener;
        this.id = id;
        if (mode != null) {
            state.mode(switch (mode) {
                case OFF -> EngineMode.OFF;
                case DETECT -> EngineMode.DETECTION_ONLY;
                case BLOCK -> EngineMode.ON;
            });
        }
        this.v = state.vars();
        this.argumentSeparator = rules.argumentSeparator();
        this.argumentLimit = new ArgumentLimit(rules.argumentsLimit());
        v.set("UNIQUE_ID", id);
        v.set("REQBODY_ERROR", "0");
        v.set("REQBODY_PROCESSOR_ERROR", "0");
        v.set("URLENCODED_ERROR", "0");
        v.set("INBOUND_DATA_ERROR", "0");
        v.set("OUTBOUND_DATA_ERROR", "0");
    }

    /** Client and server addresses. */
    public void processConnection(String clientIp, int clientPort, String serverIp, int serverPort) {
        v.set("REMOTE_ADDR", clientIp);
        v.set("REMOTE_HOST", clientIp);
        v.set("REMOTE_PORT", Integer.toString(clientPort));
        v.set("SERVER_ADDR", serverIp);
        v.set("SERVER_PORT", Integer.toString(serverPort));
    }

    /** The request line: URI as received (path and query, not decoded), method, protocol. */
    public void processUri(String uri, String method, String protocol) {
        v.set("REQUEST_METHOD", method);
        v.set("REQUEST_PROTOCOL", protocol);
        v.set("REQUEST_URI_RAW", uri);
        v.set("REQUEST_LINE", method + " " + uri + " " + protocol);
        String u = uri;
        if (u.startsWith("http://") || u.startsWith("https://")) {
            int slash = u.indexOf('/', u.indexOf("://") + 3);
            u = slash < 0 ? "/" : u.substring(slash);
        }
        v.set("REQUEST_URI", u);
        int q = u.indexOf('?');
        String path = q < 0 ? u : u.substring(0, q);
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        v.set("REQUEST_FILENAME", path);
        int slash = path.lastIndexOf('/');
        v.set("REQUEST_BASENAME", slash < 0 ? path : path.substring(slash + 1));
        String query = q < 0 ? "" : u.substring(q + 1);
        v.set("QUERY_STRING", query);
        if (!query.isEmpty()) {
            boolean bad = UrlEncoded.parse(query, argumentSeparator.charAt(0), v.collection("ARGS_GET"), argumentLimit);
            if (bad) {
                v.set("URLENCODED_ERROR", "1");
            }
            // Too many query arguments is a request the WAF did not fully read, as a body would be:
            // the same variables and the same refusal.
            if (argumentLimit.reached()) {
                bodyError("query string: " + argumentLimit.message());
            }
        }
    }

    /** A request header (repeat for repeated headers). {@code Cookie} also fills REQUEST_COOKIES. */
    public void addRequestHeader(String name, String value) {
        KeyValues headers = requestHeaders;
        if (headers == null) {
            headers = requestHeaders = v.collection("REQUEST_HEADERS");
        }
        headers.add(name, value);
        if (name.equalsIgnoreCase("cookie")) {
            for (String c : value.split(";")) {
                String t = c.strip();
                if (t.isEmpty()) {
                    continue;
                }
                int eq = t.indexOf('=');
                v.collection("REQUEST_COOKIES").add(eq < 0 ? t : t.substring(0, eq), eq < 0 ? "" : t.substring(eq + 1));
            }
        } else if (name.equalsIgnoreCase("content-encoding")) {
            requestContentEncoding = requestContentEncoding == null ? value : requestContentEncoding + ", " + value;
        } else if (name.equalsIgnoreCase("content-type")) {
            conflictingContentTypes |= !requestContentType.isEmpty() && !requestContentType.equals(value);
            requestContentType = value;
        } else if (name.equalsIgnoreCase("host")) {
            String h = value;
            int colon = h.lastIndexOf(':');
            v.set("SERVER_NAME", colon > 0 && !h.endsWith("]") ? h.substring(0, colon) : h);
        }
    }

    /** Runs phase 1. */
    public Optional<Interruption> processRequestHeaders() {
        return run(1);
    }

    /** Whether the rules want the request body (SecRequestBodyAccess, ctl:requestBodyAccess). */
    public boolean wantsRequestBody() {
        return state.requestBodyAccess();
    }

    /**
     * Appends request body bytes, up to SecRequestBodyLimit. Past it the request is refused with
     * 413 (SecRequestBodyLimitAction Reject) or the rest is not inspected (ProcessPartial).
     */
    public Optional<Interruption> appendRequestBody(byte[] chunk, int off, int len) {
        long limit = state.ruleSet().requestBodyLimit();
        long room = limit - requestBody.size();
        if (len > room) {
            requestBody.write(chunk, off, (int) Math.max(0, room));
            requestBodyTruncated = true;
            if (state.mode() == EngineMode.ON && state.ruleSet().rejectsOversizedRequestBody()) {
                state.interrupt(413, "request body larger than SecRequestBodyLimit (" + limit + " bytes)");
                return state.interruption();
            }
            return Optional.empty();
        }
        requestBody.write(chunk, off, len);
        return Optional.empty();
    }

    public Optional<Interruption> appendRequestBody(byte[] chunk) {
        return appendRequestBody(chunk, 0, chunk.length);
    }

    /**
     * Parses the body with the processor its Content-Type (or a ctl action) calls for, then runs
     * phase 2. A body it cannot read as its Content-Type says, or one past the argument limits,
     * sets {@code REQBODY_ERROR} and {@code REQBODY_ERROR_MSG}; what happens then is up to the
     * rules (a policy adds rule 1990002, which refuses it).
     */
    public Optional<Interruption> processRequestBody() {
        if (state.interruption().isPresent()) {
            return state.interruption();
        }
        if (state.requestBodyAccess() && requestBody.size() > 0) {
            String body;
            String codingError = null;
            if (requestContentEncoding == null) {
                body = requestBody.toString(StandardCharsets.ISO_8859_1);
            } else {
                // The rules read the body as the application will, after its Content-Encoding.
                byte[] raw = requestBody.toByteArray();
                long limit = state.ruleSet().requestBodyLimit();
                ContentCoding.Decoded d = ContentCoding.decode(requestContentEncoding, raw, raw.length, limit, requestBodyTruncated);
                codingError = d.error();
                body = new String(d.body(), 0, d.length(), StandardCharsets.ISO_8859_1);
                if (d.truncated() && !requestBodyTruncated) {
                    requestBodyTruncated = true;
                    if (state.mode() == EngineMode.ON && state.ruleSet().rejectsOversizedRequestBody()) {
                        state.interrupt(413, "request body decoded from its Content-Encoding larger than SecRequestBodyLimit (" + limit + " bytes)");
                        return state.interruption();
                    }
                }
            }
            v.set("REQUEST_BODY_LENGTH", Integer.toString(body.length()));
            String processor = state.requestBodyProcessor();
            String ct = requestContentType.toLowerCase(Locale.ROOT);
            if (processor == null) {
                if (ct.startsWith("application/x-www-form-urlencoded")) {
                    processor = "URLENCODED";
                } else if (ct.startsWith("multipart/form-data")) {
                    processor = "MULTIPART";
                } else if (ct.startsWith("application/json") || ct.startsWith("application/csp-report")
                        || ct.matches("application/[a-z0-9.+-]*\\+json.*")) {
                    processor = "JSON";
                } else if (JSON_LINES.matcher(ct).lookingAt()) {
                    processor = "JSONL";
                } else if (ct.startsWith("text/xml") || ct.startsWith("application/xml") || ct.matches("application/[a-z0-9.+-]*\\+xml.*")) {
                    processor = "XML";
                }
            }
            // As in ModSecurity, REQUEST_BODY holds the raw body only when no structured processor
            // parsed it (or a rule forces it): structured bodies are inspected through ARGS/XML/FILES.
            if (codingError != null) {
                // Still compressed: no processor can read it, and the rules see the bytes as sent.
                v.set("REQUEST_BODY", body);
                bodyError(codingError);
            } else if (processor == null || processor.equals("URLENCODED") || state.forceRequestBodyVariable()) {
                v.set("REQUEST_BODY", body);
            }
            if (processor != null && codingError == null) {
                v.set("REQBODY_PROCESSOR", processor);
                String error = parseBody(processor, body);
                if (error != null) {
                    bodyError(error);
                }
            }
        } else {
            v.set("REQUEST_BODY_LENGTH", Integer.toString(requestBody.size()));
        }
        if (requestBodyTruncated) {
            v.set("INBOUND_DATA_ERROR", "1");
        }
        return run(2);
    }

    /**
     * Runs a body processor; returns why the body could not be read as its Content-Type says, or
     * null. Everything but multipart is cut at SecRequestBodyNoFilesLimit before parsing, so the
     * cost stays within it; multipart counts its non-file bytes as it goes.
     */
    private String parseBody(String processor, String body) {
        if (conflictingContentTypes) {
            return "more than one Content-Type header, with different values";
        }
        ContentType ct = ContentType.parse(requestContentType);
        long noFiles = state.ruleSet().requestBodyNoFilesLimit();
        String over = null;
        String b = body;
        if (!processor.equals("MULTIPART") && body.length() > noFiles) {
            b = body.substring(0, (int) noFiles);
            over = "request body of " + body.length() + " bytes, more than " + noFiles + " (SecRequestBodyNoFilesLimit " + noFiles
                    + "); only the first " + noFiles + " bytes were parsed";
        }
        String error = switch (processor) {
            case "URLENCODED" -> {
                String charset = ct.charsetProblem(false);
                if (UrlEncoded.parse(b, argumentSeparator.charAt(0), v.collection("ARGS_POST"), argumentLimit)) {
                    v.set("URLENCODED_ERROR", "1");
                }
                yield argumentLimit.reached() ? argumentLimit.message() : charset;
            }
            case "MULTIPART" -> {
                String charset = ct.charsetProblem(false);
                String e = Multipart.parse(requestContentType, b, v, argumentLimit, noFiles);
                yield e != null ? e : charset;
            }
            case "JSON", "JSONL" -> {
                String charset = ct.charsetProblem(true);
                String e = JsonBody.parse(b, v.collection("ARGS_POST"), state.ruleSet().jsonDepthLimit(), argumentLimit, processor.equals("JSONL"));
                yield charset != null ? charset : e;
            }
            case "XML" -> XmlBody.parse(b, v.collection("XML"));
            default -> null;
        };
        return over != null ? over : error;
    }

    /** Records a body error; the first one's message is kept, as it is usually the cause of the rest. */
    private void bodyError(String message) {
        if (!"1".equals(v.get("REQBODY_ERROR"))) {
            v.set("REQBODY_ERROR_MSG", message);
            v.set("REQBODY_PROCESSOR_ERROR_MSG", message);
        }
        v.set("REQBODY_ERROR", "1");
        v.set("REQBODY_PROCESSOR_ERROR", "1");
    }

    /** A response header. */
    public void addResponseHeader(String name, String value) {
        v.collection("RESPONSE_HEADERS").add(name, value);
        if (name.equalsIgnoreCase("content-type")) {
            responseContentType = value;
            v.set("RESPONSE_CONTENT_TYPE", value);
        } else if (name.equalsIgnoreCase("content-length")) {
            v.set("RESPONSE_CONTENT_LENGTH", value);
        }
    }

    /** Runs phase 3 with the response status line. */
    public Optional<Interruption> processResponseHeaders(int status, String protocol) {
        v.set("RESPONSE_STATUS", Integer.toString(status));
        v.set("RESPONSE_PROTOCOL", protocol);
        v.set("STATUS_LINE", protocol + " " + status);
        return run(3);
    }

    /** Whether the response body of this content type is inspected. */
    public boolean wantsResponseBody() {
        return state.responseBodyAccess() && state.ruleSet().inspectsResponseType(responseContentType);
    }

    /** Appends response body bytes, up to SecResponseBodyLimit; the rest is not inspected. */
    public void appendResponseBody(byte[] chunk, int off, int len) {
        long room = state.ruleSet().responseBodyLimit() - responseBody.size();
        if (len > room) {
            responseBody.write(chunk, off, (int) Math.max(0, room));
            responseBodyTruncated = true;
            return;
        }
        responseBody.write(chunk, off, len);
    }

    /** Runs phase 4. */
    public Optional<Interruption> processResponseBody() {
        if (wantsResponseBody()) {
            v.set("RESPONSE_BODY", responseBody.toString(StandardCharsets.ISO_8859_1));
        }
        if (responseBodyTruncated) {
            v.set("OUTBOUND_DATA_ERROR", "1");
        }
        return run(4);
    }

    /**
     * Runs phase 5, then hands a {@link WafEvent} to the WAF's listener when a logging rule
     * matched or the transaction was interrupted. Call it once, when the exchange is over.
     */
    public void processLogging() {
        state.runPhase(5);
        if (listener == null) {
            return;
        }
        List<MatchedRule> matched = state.matchedRules();
        Optional<Interruption> interruption = state.interruption();
        if (matched.isEmpty() && interruption.isEmpty()) {
            return;
        }
        WafEvent event = new WafEvent(id, Instant.now(), nullToEmpty(v.get("REMOTE_ADDR")), nullToEmpty(v.get("REQUEST_METHOD")),
                nullToEmpty(v.get("REQUEST_URI_RAW")), mode(), interruption, matched, anomalyScore());
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            // A broken listener must not break requests; say so once in a while, not per request.
            long n = LISTENER_FAILURES.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.warn("WAF event listener {} failed {} time(s), last with {}; fix the listener, events it fails on are lost",
                        listener.getClass().getName(), n, e.toString());
            }
        }
    }

    /** The mode this transaction runs in (a rule's {@code ctl:ruleEngine} may change it). */
    public WafMode mode() {
        return switch (state.mode()) {
            case OFF -> WafMode.OFF;
            case DETECTION_ONLY -> WafMode.DETECT;
            case ON -> WafMode.BLOCK;
        };
    }

    /** This transaction's id ({@code UNIQUE_ID}). */
    public String id() {
        return id;
    }

    private int anomalyScore() {
        String s = v.collection("TX").first("blocking_inbound_anomaly_score");
        if (s == null) {
            return 0;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private Optional<Interruption> run(int phase) {
        Optional<Interruption> i = state.interruption();
        if (i.isPresent()) {
            return i;
        }
        state.runPhase(phase);
        return state.interruption();
    }

    /**
     * True when phases 1 and 2 went over the WAF's budget ({@link WafLimits#budget()} of evaluation,
     * {@link WafLimits#regexSteps()} regex steps) and evaluation stopped. In block mode with
     * {@link WafLimits#blockOverBudget()} the request is then refused with 503 ({@link #interruption()});
     * otherwise it passes uninspected from that point. Either way {@link #matchedRules()} reports it
     * as rule {@value io.tiyi.waf.engine.TxState#OVER_BUDGET_RULE}, so the WAF's listener gets an event.
     */
    public boolean overBudget() {
        return state.overBudget();
    }

    /** The interruption, if any. */
    public Optional<Interruption> interruption() {
        return state.interruption();
    }

    /** Rules that matched and log, in order. */
    public List<MatchedRule> matchedRules() {
        return state.matchedRules();
    }

    /** Evaluation errors (a regex that gave up, a body that would not parse...). */
    public List<String> errors() {
        return state.errors();
    }

    /** A variable's single value (for example {@code TX.ANOMALY_SCORE} as collection TX, key anomaly_score). */
    public String variable(String collection, String key) {
        if (key == null) {
            return v.get(collection.toUpperCase(Locale.ROOT));
        }
        KeyValues kv = v.collection(collection.toUpperCase(Locale.ROOT));
        return kv.first(key);
    }
}
