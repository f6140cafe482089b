package io.tiyi.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A node's static configuration: what it reads at start from the YAML file, the environment and
 * the command line, validated before anything is opened. Immutable; runtime changes go through
 * settings and mutations, never through this record.
 *
 * @param source the file it was read from, if any (named in error messages)
 * @param server the admin listener
 * @param state where state.db and node-local files live
 * @param crypto the at-rest key encryption key
 * @param auth access-token signing
 * @param proxy this node's data-plane listener overrides
 * @param api who the admin listener answers
 */
public record TiyiConfig(Optional<Path> source, Server server, State state, Crypto crypto, Auth auth, Proxy proxy, Api api) {

    /** Default admin listener address. */
    public static final HostPort DEFAULT_ADDR = new HostPort("127.0.0.1", 8080);
    /** Default state directory, relative to the working directory. */
    public static final Path DEFAULT_STATE_DIR = Path.of("data");
    /** Minimum length in bytes of {@code auth.jwt_secret}. */
    public static final int MIN_JWT_SECRET_BYTES = 32;

    public TiyiConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(crypto, "crypto");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(api, "api");
    }

    /**
     * {@code api.*} keys.
     *
     * @param allowedHosts the names the admin listener accepts in a request's {@code Host}
     *     ({@code api.allowed_hosts}), lower case, without port or brackets; {@code *} accepts any;
     *     empty to use the host's own names
     */
    public record Api(Optional<List<String>> allowedHosts) {
        public Api {
            Objects.requireNonNull(allowedHosts, "api.allowed_hosts");
            allowedHosts = allowedHosts.map(List::copyOf);
        }
    }

    /**
     * {@code proxy.*} keys of this node: listener addresses that win over the cluster-wide settings
     * of the same name.
     *
     * @param httpAddr data-plane HTTP listener ({@code --http-addr})
     * @param httpsAddr data-plane HTTPS listener ({@code --https-addr})
     */
    public record Proxy(Optional<HostPort> httpAddr, Optional<HostPort> httpsAddr) {
        public Proxy {
            Objects.requireNonNull(httpAddr);
            Objects.requireNonNull(httpsAddr);
        }
    }

    /**
     * {@code server.*} keys.
     *
     * @param addr the admin listener ({@code server.addr}, flag {@code --addr})
     * @param advertiseUrl the API URL other nodes use to reach this one ({@code server.advertise_url}, flag
     *     {@code --advertise-url}); empty to derive it from {@code addr}
     */
    public record Server(HostPort addr, Optional<String> advertiseUrl) {
        public Server {
            Objects.requireNonNull(addr, "server.addr");
            Objects.requireNonNull(advertiseUrl, "server.advertise_url");
        }
    }

    /** {@code state.*} keys. @param dir the state directory ({@code state.dir}, {@code TIYI_STATE_DIR}, flag {@code --state-dir}) */
    public record State(Path dir) {
        public State {
            Objects.requireNonNull(dir, "state.dir");
        }
    }

    /**
     * {@code crypto.*} keys.
     *
     * @param kekFile the 32-byte KEK file ({@code crypto.kek_file}); empty means the fallback
     *     {@code <state-dir>/kek.bin}, generated on first boot
     */
    public record Crypto(Optional<Path> kekFile) {
        public Crypto {
            Objects.requireNonNull(kekFile, "crypto.kek_file");
        }
    }

    /**
     * {@code auth.*} keys.
     *
     * @param jwtSecret the HS256 secret ({@code auth.jwt_secret}, {@code TIYI_AUTH_JWT_SECRET});
     *     empty means an ephemeral secret generated at every start
     */
    public record Auth(Optional<String> jwtSecret) {
        public Auth {
            Objects.requireNonNull(jwtSecret, "auth.jwt_secret");
        }

        @Override
        public String toString() {
            return "Auth[jwtSecret=" + (jwtSecret.isPresent() ? "<set>" : "<ephemeral>") + "]";
        }
    }

    /** The built-in defaults, as a node with no file, no environment and no flags would run. */
    public static TiyiConfig defaults() {
        return new TiyiConfig(
                Optional.empty(),
                new Server(DEFAULT_ADDR, Optional.empty()),
                new State(DEFAULT_STATE_DIR),
                new Crypto(Optional.empty()),
                new Auth(Optional.empty()),
                new Proxy(Optional.empty(), Optional.empty()),
                new Api(Optional.empty()));
    }

    public TiyiConfig withServerAddr(HostPort addr) {
        return new TiyiConfig(source, new Server(addr, server.advertiseUrl()), state, crypto, auth, proxy, api);
    }

    /**
     * The API URL other nodes use to reach this one.
     *
     * @throws ConfigException naming {@code source} when it is not {@code http(s)://host:port} without a path
     */
    public TiyiConfig withAdvertiseUrl(String url, String source) {
        java.net.URI u;
        try {
            u = java.net.URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": expected http://host:port, got '" + url + "'");
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null
                || u.getPort() < 1 || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))) {
            throw new ConfigException(source + ": expected http://host:port (the URL other nodes reach this node's API at), got '" + url + "'");
        }
        String clean = u.getScheme() + "://" + u.getRawAuthority();
        return new TiyiConfig(source(), new Server(server.addr(), Optional.of(clean)), state, crypto, auth, proxy, api);
    }

    public TiyiConfig withStateDir(Path dir) {
        return new TiyiConfig(source, server, new State(dir), crypto, auth, proxy, api);
    }

    public TiyiConfig withKekFile(Path kekFile) {
        return new TiyiConfig(source, server, state, new Crypto(Optional.of(kekFile)), auth, proxy, api);
    }

    /**
     * Sets the JWT secret, checking its length.
     *
     * @param origin where the value came from, for the error message
     */
    public TiyiConfig withJwtSecret(String secret, String origin) {
        return new TiyiConfig(source, server, state, crypto, new Auth(Optional.of(checkJwtSecret(secret, origin))), proxy, api);
    }

    public TiyiConfig withHttpAddr(HostPort addr) {
        return new TiyiConfig(source, server, state, crypto, auth, new Proxy(Optional.of(addr), proxy.httpsAddr()), api);
    }

    public TiyiConfig withHttpsAddr(HostPort addr) {
        return new TiyiConfig(source, server, state, crypto, auth, new Proxy(proxy.httpAddr(), Optional.of(addr)), api);
    }

    /**
     * Sets {@code api.allowed_hosts}, checking each entry.
     *
     * @param origin where the value came from (a file), for the error message
     * @throws ConfigException naming {@code origin}, the key and the entry when one is not a host name, an IP address or {@code *}
     */
    public TiyiConfig withAllowedHosts(List<String> hosts, String origin) {
        List<String> clean = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            clean.add(allowedHost(hosts.get(i), origin + ": key 'api.allowed_hosts[" + i + "]'"));
        }
        return new TiyiConfig(source, server, state, crypto, auth, proxy, new Api(Optional.of(clean)));
    }

    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");

    /** One {@code api.allowed_hosts} entry, lower case, without a trailing dot or IPv6 brackets. */
    static String allowedHost(String entry, String origin) {
        String h = entry == null ? "" : entry.trim().toLowerCase(java.util.Locale.ROOT);
        if (h.equals("*")) {
            return h;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".") && h.length() > 1) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty() || h.length() > 253 || !(HOST_NAME.matcher(h).matches() || IPV4.matcher(h).matches() || IPV6.matcher(h).matches())) {
            throw new ConfigException(origin + ": '" + entry + "' is not a host name or IP address; give names clients put in"
                    + " the Host header, such as admin.example.com (no scheme, port or path), or '*' to accept any Host (unsafe:"
                    + " it lets web pages reach the API through DNS rebinding)");
        }
        return h;
    }

    TiyiConfig withSource(Path file) {
        return new TiyiConfig(Optional.of(file), server, state, crypto, auth, proxy, api);
    }

    static String checkJwtSecret(String secret, String origin) {
        int len = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (len < MIN_JWT_SECRET_BYTES) {
            throw new ConfigException(origin + ": auth.jwt_secret must be at least " + MIN_JWT_SECRET_BYTES
                    + " bytes, got " + len + "; generate one with: head -c 32 /dev/urandom | base64");
        }
        return secret;
    }
}
