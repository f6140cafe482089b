package io.tiyi.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tiyi.TiyiException;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.internal.Json;
import io.tiyi.internal.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The credential a control-plane node leaves in its state directory (mode 0600) so that the
 * {@code tiyi} CLI on the same host can administer it without a login. A new token is written at
 * every start; only the owner of the state directory can read it.
 *
 * @param api the admin API URL to use from this host
 * @param token the bearer token
 */
public record LocalAdminCredential(@JsonProperty("api") String api, @JsonProperty("token") String token) {
    /** File name inside the state directory. */
    public static final String FILE = "local-admin.json";

    @Override
    public String toString() {
        return "LocalAdminCredential[api=" + api + "]";
    }

    /** Generates a new credential and writes it atomically with mode 0600. */
    public static LocalAdminCredential write(Path stateDir, String api) {
        LocalAdminCredential c = new LocalAdminCredential(api, "tiyi_local_" + RandomTokens.token(32));
        Path file = stateDir.resolve(FILE);
        Path tmp = stateDir.resolve(FILE + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            PrivateFiles.createFile(tmp);
            Files.writeString(tmp, Json.write(c), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TiyiException("cannot write " + file + ": " + e.getMessage());
        }
        return c;
    }

    /** Reads the credential of a state directory, if present and readable. */
    public static Optional<LocalAdminCredential> read(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.read(Files.readString(file), LocalAdminCredential.class));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Removes the credential file (at clean shutdown). */
    public static void delete(Path stateDir) {
        try {
            Files.deleteIfExists(stateDir.resolve(FILE));
        } catch (IOException e) {
            // A stale file holds a token the next start replaces.
        }
    }
}
