package io.tiyi.cli;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.AuthService;
import io.tiyi.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a command runs with: streams, environment, and the API client with the right credential.
 *
 * <p>Credential order: the node-local admin credential of the state directory when its API is
 * the one asked for (or none was asked for); otherwise the {@code tiyi login} session for that
 * API, refreshed when its access token is about to expire.
 */
final class CliContext {
    final PrintStream out;
    final PrintStream err;
    final InputStream in;
    final Map<String, String> env;
    final GlobalOptions options;
    final SessionStore sessions;
    private final boolean terminal;

    CliContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, GlobalOptions options, boolean terminal) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
        this.options = options;
        this.terminal = terminal;
        this.sessions = new SessionStore(env);
    }

    boolean json() {
        String o = options.output;
        if (o == null) {
            return !terminal;
        }
        return switch (o) {
            case "json" -> true;
            case "table" -> false;
            default -> throw new UsageException("--output must be table or json, got '" + o + "'");
        };
    }

    /** Whether the command runs on a terminal (standard input and output). */
    boolean terminal() {
        return terminal;
    }

    Path stateDir() {
        if (options.stateDir != null) {
            return Path.of(options.stateDir);
        }
        String e = env.get("TIYI_STATE_DIR");
        return e != null && !e.isBlank() ? Path.of(e) : Path.of("data");
    }

    /** The API URL asked for explicitly, if any. */
    Optional<String> explicitApi() {
        if (options.api != null) {
            return Optional.of(trim(options.api));
        }
        String e = env.get("TIYI_API");
        return e != null && !e.isBlank() ? Optional.of(trim(e)) : Optional.empty();
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** A client without credentials (login). */
    TiyiClient anonymous() {
        return TiyiClient.of(explicitApi().orElse("http://127.0.0.1:8080"), null);
    }

    /** A client with the best credential available. */
    TiyiClient client() {
        Optional<String> api = explicitApi();
        Optional<LocalAdminCredential> local = LocalAdminCredential.read(stateDir());
        if (local.isPresent() && (api.isEmpty() || sameNode(api.get(), local.get().api()))) {
            return TiyiClient.of(api.orElse(local.get().api()), local.get().token());
        }
        Optional<SessionStore.Session> session = api.isPresent() ? sessions.find(api.get()) : sessions.single();
        if (session.isPresent()) {
            return TiyiClient.of(session.get().api(), fresh(session.get()).accessToken());
        }
        return TiyiClient.of(api.orElse("http://127.0.0.1:8080"), null);
    }

    private static boolean sameNode(String a, String b) {
        return trim(a).equals(trim(b)) || trim(a).replace("localhost", "127.0.0.1").equals(trim(b));
    }

    private SessionStore.Session fresh(SessionStore.Session s) {
        if (s.accessExpiresAt() > System.currentTimeMillis() + 10_000) {
            return s;
        }
        JsonNode g;
        try {
            g = TiyiClient.of(s.api(), null).call(AuthService.REFRESH, new AuthService.RefreshRequest(s.refreshToken()));
        } catch (TiyiApiException e) {
            sessions.remove(s.api());
            throw new TiyiException(e.code(), "session for " + s.api() + " ended (" + e.getMessage() + "); run: tiyi login --api " + s.api());
        }
        SessionStore.Session n = new SessionStore.Session(s.api(), s.user(), g.get("access_token").asText(),
                g.get("access_expires_at").asLong(), g.get("refresh_token").asText());
        sessions.save(n);
        return n;
    }

    /** Reads a password from stdin ({@code --password-stdin}) or from the terminal. */
    char[] password(boolean fromStdin, String prompt, boolean confirm) throws IOException {
        if (fromStdin) {
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null || line.isEmpty()) {
                throw new UsageException("--password-stdin: no password on standard input");
            }
            return line.toCharArray();
        }
        java.io.Console console = System.console();
        if (console == null) {
            throw new UsageException("no terminal to ask for the password: pass it on standard input with --password-stdin");
        }
        char[] p = console.readPassword("%s: ", prompt);
        if (confirm) {
            char[] again = console.readPassword("%s (again): ", prompt);
            if (!java.util.Arrays.equals(p, again)) {
                throw new UsageException("the two passwords differ");
            }
        }
        return p;
    }

    /** Prints a JSON value as-is in json mode, with the characters a terminal would act on escaped ({@link TerminalEscapes}). */
    void printJson(Object value) {
        try {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().with(TerminalEscapes.INSTANCE).writeValueAsString(value));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code value} as one line of JSON, escaped as {@link #printJson} does. */
    static String jsonLine(Object value) {
        try {
            return Json.MAPPER.writer().with(TerminalEscapes.INSTANCE).writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * JSON that is safe to print: Jackson already writes C0 controls as escapes; this adds DEL,
     * the C1 controls, the line separators and the bidirectional controls, as {@code \}{@code uXXXX},
     * which a JSON reader turns back into the same string.
     */
    static final class TerminalEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        static final TerminalEscapes INSTANCE = new TerminalEscapes();

        private final int[] ascii;

        private TerminalEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return Table.escape(String.valueOf((char) ch)).length() > 1
                    ? new SerializedString(String.format(java.util.Locale.ROOT, "\\u%04x", ch)) : null;
        }
    }
}
