package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiVersion;
import io.tiyi.bundle.AgentReport;
import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.SignedRelease;
import io.tiyi.client.TiyiClient;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.testsupport.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an agent checks before it installs a release: the manifest signed with its pinned key, the
 * command agreeing with it, and a version newer than the running one; only a rollback goes back.
 * Every refusal happens before a download: the client here fails the test if it is asked for one.
 */
class BinaryUpdaterReleaseTest {
    static final String SHA = "ab".repeat(32);

    @TempDir
    Path dir;

    final Ed25519KeyPair pinned = Ed25519KeyPair.generate();
    final AtomicBoolean downloaded = new AtomicBoolean();
    final AtomicBoolean restarted = new AtomicBoolean();

    static String manifest(String version) {
        return "{\"manifest_version\":1,\"version\":\"" + version + "\",\"created\":\"2026-11-28T12:00:00Z\",\"artifacts\":[{\"name\":"
                + "\"tiyi.jar\",\"os\":\"any\",\"arch\":\"any\",\"path\":\"artifacts/tiyi.jar\",\"size\":1000,\"sha256\":\"" + SHA
                + "\",\"entry_point\":\"java -jar tiyi.jar\"}]}";
    }

    static Bundle.AgentCommand apply(String version, String manifest, String signature) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("rollout_id", "7");
        args.put("version", version);
        args.put("sha256", SHA);
        args.put("size", "1000");
        if (manifest != null) {
            args.put("manifest", manifest);
            args.put("manifest_signature", signature);
        }
        return new Bundle.AgentCommand("rollout-7", Bundle.AgentCommand.APPLY_BINARY, args);
    }

    Bundle.AgentCommand signedApply(String version, Ed25519KeyPair key) {
        String m = manifest(version);
        return apply(version, m, SignedRelease.sign(m, key).signatureBase64());
    }

    AgentReport.Rollout run(Bundle.AgentCommand c) {
        Supplier<TiyiClient> client = () -> {
            downloaded.set(true);
            throw new IllegalStateException("no download expected");
        };
        BinaryUpdater u = new BinaryUpdater(dir, client, pinned::publicKey);
        u.onRestart(() -> restarted.set(true));
        u.run(List.of(c));
        return Await.value(Duration.ofSeconds(10), "the command's outcome",
                () -> Optional.ofNullable(u.state()).filter(s -> s.state().equals("failed") || s.state().equals("restarting")));
    }

    @Test
    void aManifestSignedWithAnotherKeyIsRefused() {
        AgentReport.Rollout r = run(signedApply("99.0.0", Ed25519KeyPair.generate()));
        assertThat(r.state()).isEqualTo("failed");
        assertThat(r.reason()).startsWith("refused: ").contains("signature does not verify with the pinned key");
        assertThat(downloaded).isFalse();
    }

    @Test
    void anUnsignedApplyIsRefused() {
        AgentReport.Rollout r = run(apply("99.0.0", null, null));
        assertThat(r.reason()).contains("the release manifest is not signed");
        assertThat(downloaded).isFalse();
    }

    @Test
    void aCommandThatDisagreesWithItsSignedManifestIsRefused() {
        String m = manifest("99.0.0");
        AgentReport.Rollout r = run(apply("99.0.1", m, SignedRelease.sign(m, pinned).signatureBase64()));
        assertThat(r.reason()).contains("asks for tiyi 99.0.1 but its signed manifest is of release 99.0.0");
        Map<String, String> args = new LinkedHashMap<>(signedApply("99.0.0", pinned).args());
        args.put("sha256", "cd".repeat(32));
        r = run(new Bundle.AgentCommand("rollout-8", Bundle.AgentCommand.APPLY_BINARY, args));
        assertThat(r.reason()).contains("is not in the signed manifest of release 99.0.0");
        assertThat(downloaded).isFalse();
    }

    @Test
    void theRunningVersionIsRefusedWithoutADownload() {
        AgentReport.Rollout r = run(signedApply(TiyiVersion.version(), pinned));
        assertThat(r.reason()).contains("already runs tiyi " + TiyiVersion.version());
        assertThat(downloaded).isFalse();
    }

    @Test
    void anOlderReleaseIsRefusedByApply() {
        AgentReport.Rollout r = run(signedApply("0.0.1", pinned));
        assertThat(r.reason()).contains("tiyi 0.0.1 is older than the running " + TiyiVersion.version()).contains("use tiyi release rollback");
        assertThat(downloaded).isFalse();
        assertThat(restarted).isFalse();
    }

    @Test
    void aRollbackGoesBackToTheOlderBinaryKeptOnDisk() throws Exception {
        // What a previous apply left: the old binary, and previous pointing at it.
        Files.createDirectories(dir.resolve("0.0.1"));
        Files.write(dir.resolve("0.0.1").resolve(BinaryUpdater.JAR), new byte[] {1});
        Files.createDirectories(dir.resolve(TiyiVersion.version()));
        Files.write(dir.resolve(TiyiVersion.version()).resolve(BinaryUpdater.JAR), new byte[] {2});
        Files.createSymbolicLink(dir.resolve("previous"), Path.of("0.0.1"));

        AgentReport.Rollout r = run(new Bundle.AgentCommand("rollout-9", Bundle.AgentCommand.ROLLBACK_BINARY, Map.of("rollout_id", "9")));
        assertThat(r.state()).isEqualTo("restarting");
        assertThat(restarted).isTrue();
        assertThat(Files.readSymbolicLink(dir.resolve("current"))).isEqualTo(Path.of("0.0.1"));
    }

    @Test
    void versionsOrderAsSemanticVersioningSays() {
        assertThat(SignedRelease.compareVersions("3.0.0-rc.1", "3.0.0")).isNegative();
        assertThat(SignedRelease.compareVersions("3.0.0-rc.2", "3.0.0-rc.10")).isNegative();
        assertThat(SignedRelease.compareVersions("3.0.10", "3.0.9")).isPositive();
        assertThat(SignedRelease.compareVersions("3.1.0", "3.1.0")).isZero();
        assertThat(SignedRelease.compareVersions("3.0.0-rc.1", "3.0.0-beta")).isPositive();
        assertThat(SignedRelease.compareVersions("3.0.0-rc.1", "3.0.0-rc.1.1")).isNegative();
    }
}
