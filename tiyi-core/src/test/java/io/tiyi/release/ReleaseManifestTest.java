package io.tiyi.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.TiyiException;
import io.tiyi.release.ReleaseManifest.Artifact;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReleaseManifestTest {
    static final String SHA = "ab".repeat(32);

    static Artifact artifact(String name, String os, String arch) {
        return new Artifact(name, os, arch, "artifacts/" + name, 10, SHA, "java -jar " + name);
    }

    static ReleaseManifest manifest(String version, String created) {
        return new ReleaseManifest(ReleaseManifest.CURRENT, version, created, List.of(artifact("tiyi.jar", "any", "any")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.0.1", "3.0.0-rc.1", "10.20.30", "1.0.0-alpha-2.beta"})
    void takesReleaseVersions(String version) {
        assertThat(manifest(version, "2025-06-01T12:00:00Z").version()).isEqualTo(version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.0", "v3.0.1", "3.0.1-", "3.0.1+build.5", "3.0.1/../x", "3.0.1 ", ""})
    void refusesOtherVersions(String version) {
        assertThatThrownBy(() -> manifest(version, "2025-06-01T12:00:00Z")).isInstanceOf(TiyiException.class)
                .hasMessage("version '" + version + "' is not a release version like 3.0.1 or 3.0.0-rc.1");
    }

    @Test
    void createdIsRfc3339InUtc() {
        assertThatCode(() -> manifest("3.0.1", "2025-06-01T12:00:00.123Z")).doesNotThrowAnyException();
        for (String bad : List.of("2025-06-01T12:00:00+00:00", "2025-06-01 12:00:00Z", "2025-13-01T12:00:00Z", "yesterday")) {
            assertThatThrownBy(() -> manifest("3.0.1", bad)).isInstanceOf(TiyiException.class)
                    .hasMessage("created '" + bad + "' is not an RFC 3339 UTC time like 2025-06-01T12:00:00Z");
        }
    }

    @Test
    void refusesAnEmptyReleaseAndUnsupportedFormats() {
        assertThatThrownBy(() -> new ReleaseManifest(1, "3.0.1", "2025-06-01T12:00:00Z", List.of())).hasMessage("release 3.0.1 lists no artifacts");
        assertThatThrownBy(() -> new ReleaseManifest(2, "3.0.1", "2025-06-01T12:00:00Z", List.of(artifact("a", "any", "any"))))
                .hasMessage("manifest_version 2 is not supported by this build (supports 1)");
    }

    @Test
    void artifactFieldsAreChecked() {
        assertThatThrownBy(() -> new Artifact("../tiyi", "any", "any", "a", 1, SHA, "x"))
                .hasMessage("artifact name '../tiyi' is not a plain file name (letters, digits, '.', '_', '-')");
        assertThatThrownBy(() -> new Artifact("a", "any", "amd64", "a", 1, SHA, "x"))
                .hasMessage("artifact a: platform any/amd64 is not one of linux/amd64, linux/arm64, any/any");
        assertThatThrownBy(() -> new Artifact("a", "any", "any", "a", 1, SHA.toUpperCase(), "x"))
                .hasMessage("artifact a (any/any): sha256 '" + SHA.toUpperCase() + "' is not 64 lowercase hex digits");
        assertThatThrownBy(() -> new Artifact("a", "any", "any", "a", -1, SHA, "x")).hasMessage("artifact a (any/any): size -1 is negative");
        assertThatThrownBy(() -> new Artifact("a", "any", "any", "manifest.json", 1, SHA, "x"))
                .hasMessage("artifact a (any/any): path manifest.json is the manifest's");
        assertThatThrownBy(() -> new Artifact("a", "any", "any", "artifacts/", 1, SHA, "x"))
                .hasMessage("artifact a (any/any): path artifacts/: write it without a leading ./ or a trailing /");
        assertThatThrownBy(() -> new Artifact("a", "any", "any", "a", 1, SHA, "java -jar a\nrm -rf /"))
                .hasMessage("artifact a (any/any): entry_point contains a control character (U+000A) at position 12");
    }

    @Test
    void anyMatchesEveryPlatformAndAPlatformOnlyItself() {
        assertThat(artifact("tiyi.jar", "any", "any").matches("linux", "arm64")).isTrue();
        assertThat(artifact("tiyi", "linux", "amd64").matches("linux", "amd64")).isTrue();
        assertThat(artifact("tiyi", "linux", "amd64").matches("linux", "arm64")).isFalse();
        ReleaseManifest native1 = new ReleaseManifest(1, "3.0.1", "2025-06-01T12:00:00Z", List.of(artifact("tiyi", "linux", "amd64")));
        assertThat(native1.artifactFor("linux", "arm64")).isEmpty();
    }
}
