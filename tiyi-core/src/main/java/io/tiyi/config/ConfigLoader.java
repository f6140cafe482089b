package io.tiyi.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads a node's YAML configuration file and applies environment overrides. Every problem stops
 * startup with one message that names the key and the file.
 *
 * <p>Precedence, strongest first: command-line flags (applied by the caller with the
 * {@code with*} methods of {@link TiyiConfig}), environment variables, the file, the defaults.
 * Relative paths are taken from the working directory.
 */
public final class ConfigLoader {
    /** Overrides {@code auth.jwt_secret}. */
    public static final String ENV_JWT_SECRET = "TIYI_AUTH_JWT_SECRET";
    /** Overrides {@code state.dir}. */
    public static final String ENV_STATE_DIR = "TIYI_STATE_DIR";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static {
        // A YAML number or boolean where a string is expected is almost always a mistake in a key.
        YAML.coercionConfigDefaults().setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        YAML.coercionConfigDefaults().setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        YAML.coercionConfigDefaults().setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    private ConfigLoader() {}

    /**
     * Loads the configuration.
     *
     * @param file the YAML file, or empty for defaults only
     * @param env the process environment (pass {@code System.getenv()})
     * @throws ConfigException naming the key and the file or variable
     */
    public static TiyiConfig load(Optional<Path> file, Map<String, String> env) {
        TiyiConfig cfg = TiyiConfig.defaults();
        if (file.isPresent()) {
            cfg = fromFile(file.get());
        }
        String stateDir = env.get(ENV_STATE_DIR);
        if (stateDir != null && !stateDir.isBlank()) {
            cfg = cfg.withStateDir(Path.of(stateDir));
        }
        String jwt = env.get(ENV_JWT_SECRET);
        if (jwt != null && !jwt.isEmpty()) {
            cfg = cfg.withJwtSecret(jwt, "environment variable " + ENV_JWT_SECRET);
        }
        return cfg;
    }

    private static TiyiConfig fromFile(Path file) {
        String where = "config " + file;
        RawConfig raw;
        try {
            com.fasterxml.jackson.databind.JsonNode tree = YAML.readTree(file.toFile());
            raw = tree == null || tree.isMissingNode() || tree.isNull() ? null : YAML.treeToValue(tree, RawConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(where + ": unknown key '" + keyOf(e) + "'"
                    + (known.isEmpty() ? "" : " (known here: " + known + ")"));
        } catch (MismatchedInputException e) {
            String type = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
            throw new ConfigException(where + ": key '" + keyOf(e) + "' has the wrong type: expected " + type);
        } catch (JsonMappingException e) {
            throw new ConfigException(where + ": key '" + keyOf(e) + "': " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            String loc = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(where + ": not valid YAML" + loc + ": " + e.getOriginalMessage());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ConfigException(where + ": file not found");
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot read: " + e.getMessage());
        }
        TiyiConfig cfg = TiyiConfig.defaults().withSource(file);
        if (raw == null) {
            return cfg;
        }
        if (raw.server() != null && raw.server().addr() != null) {
            cfg = cfg.withServerAddr(HostPort.parse(raw.server().addr(), where + ": key 'server.addr'"));
        }
        if (raw.server() != null && raw.server().advertiseUrl() != null) {
            cfg = cfg.withAdvertiseUrl(raw.server().advertiseUrl(), where + ": key 'server.advertise_url'");
        }
        if (raw.state() != null && raw.state().dir() != null) {
            cfg = cfg.withStateDir(nonBlankPath(raw.state().dir(), where, "state.dir"));
        }
        if (raw.crypto() != null && raw.crypto().kekFile() != null) {
            cfg = cfg.withKekFile(nonBlankPath(raw.crypto().kekFile(), where, "crypto.kek_file"));
        }
        if (raw.proxy() != null && raw.proxy().httpAddr() != null) {
            cfg = cfg.withHttpAddr(HostPort.parse(raw.proxy().httpAddr(), where + ": key 'proxy.http_addr'"));
        }
        if (raw.proxy() != null && raw.proxy().httpsAddr() != null) {
            cfg = cfg.withHttpsAddr(HostPort.parse(raw.proxy().httpsAddr(), where + ": key 'proxy.https_addr'"));
        }
        if (raw.api() != null && raw.api().allowedHosts() != null) {
            cfg = cfg.withAllowedHosts(raw.api().allowedHosts(), where);
        }
        if (raw.auth() != null && raw.auth().jwtSecret() != null && !raw.auth().jwtSecret().isEmpty()) {
            cfg = cfg.withJwtSecret(raw.auth().jwtSecret(), where + ": key 'auth.jwt_secret'");
        }
        return cfg;
    }

    private static Path nonBlankPath(String value, String where, String key) {
        if (value.isBlank()) {
            throw new ConfigException(where + ": key '" + key + "' is empty; remove it or give a path");
        }
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(where + ": key '" + key + "' is not a valid path: " + e.getReason());
        }
    }

    private static String keyOf(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String describe(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type.isRecord()) {
            return "a map of keys";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return type.getSimpleName();
    }

    record RawConfig(RawServer server, RawState state, RawCrypto crypto, RawAuth auth, RawProxy proxy, RawApi api) {}

    record RawApi(@JsonProperty("allowed_hosts") java.util.List<String> allowedHosts) {}

    record RawProxy(@JsonProperty("http_addr") String httpAddr, @JsonProperty("https_addr") String httpsAddr) {}

    record RawServer(String addr, @JsonProperty("advertise_url") String advertiseUrl) {}

    record RawState(String dir) {}

    record RawCrypto(@JsonProperty("kek_file") String kekFile) {}

    record RawAuth(@JsonProperty("jwt_secret") String jwtSecret) {
        @Override
        public String toString() {
            return "RawAuth[<redacted>]";
        }
    }

    /** Keys the file accepts, for documentation and error messages. */
    public static Map<String, String> knownKeys() {
        return Map.of(
                "server.addr", "admin listener host:port (default " + TiyiConfig.DEFAULT_ADDR + ")",
                "server.advertise_url", "the API URL other nodes reach this node at (default: from server.addr)",
                "state.dir", "state directory (default ./data; env " + ENV_STATE_DIR + ")",
                "crypto.kek_file", "32-byte KEK file (default <state.dir>/kek.bin, generated)",
                "auth.jwt_secret", "HS256 secret, 32+ bytes (env " + ENV_JWT_SECRET + "; default ephemeral)",
                "proxy.http_addr", "this node's data-plane HTTP listener, over the cluster setting",
                "proxy.https_addr", "this node's data-plane HTTPS listener, over the cluster setting",
                "api.allowed_hosts", "names the admin listener accepts in Host (default: this host's names; '*' for any, unsafe)");
    }
}
