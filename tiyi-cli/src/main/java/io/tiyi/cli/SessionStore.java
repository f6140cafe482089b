package io.tiyi.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import io.tiyi.internal.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions of {@code tiyi login}, kept in {@code $XDG_CONFIG_HOME/tiyi/session.json} (default
 * {@code ~/.config/tiyi}), mode 0600, one per API URL.
 */
final class SessionStore {
    /**
     * One login.
     *
     * @param api the node's API URL
     * @param user the user name
     * @param accessToken the current access JWT
     * @param accessExpiresAt its expiry (ms)
     * @param refreshToken the single-use refresh token
     */
    record Session(String api, String user, String accessToken, long accessExpiresAt, String refreshToken) {
        @Override
        public String toString() {
            return "Session[api=" + api + ", user=" + user + "]";
        }
    }

    private final Path file;

    SessionStore(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        this.file = base.resolve("tiyi").resolve("session.json");
    }

    Path file() {
        return file;
    }

    Optional<Session> find(String api) {
        return all().map(n -> n.get(api)).filter(n -> n != null && !n.isNull()).map(n -> {
            try {
                return Json.MAPPER.treeToValue(n, Session.class);
            } catch (IOException e) {
                return null;
            }
        });
    }

    /** The only session, when exactly one exists (so `tiyi login --api X` then plain commands just work). */
    Optional<Session> single() {
        return all().filter(n -> n.size() == 1).map(n -> n.elements().next()).map(n -> {
            try {
                return Json.MAPPER.treeToValue(n, Session.class);
            } catch (IOException e) {
                return null;
            }
        });
    }

    private Optional<ObjectNode> all() {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of((ObjectNode) Json.MAPPER.readTree(file.toFile()));
        } catch (IOException | ClassCastException e) {
            return Optional.empty();
        }
    }

    void save(Session s) {
        ObjectNode root = all().orElseGet(Json.MAPPER::createObjectNode);
        root.set(s.api(), Json.MAPPER.valueToTree(s));
        write(root);
    }

    void remove(String api) {
        all().ifPresent(root -> {
            root.remove(api);
            write(root);
        });
    }

    private void write(ObjectNode root) {
        try {
            PrivateFiles.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("session.json.tmp");
            Files.deleteIfExists(tmp);
            PrivateFiles.createFile(tmp);
            Files.writeString(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TiyiException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
