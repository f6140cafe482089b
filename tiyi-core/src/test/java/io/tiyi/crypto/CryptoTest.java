package io.tiyi.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CryptoTest {
    @TempDir
    Path dir;

    @Test
    void generatedKekIs32BytesMode0600() throws IOException {
        Path f = dir.resolve("kek.bin");
        Kek k = Kek.generate(f);
        assertThat(Files.size(f)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Kek.load(f).fingerprint()).isEqualTo(k.fingerprint()).startsWith("sha256:").hasSize(23);
    }

    @Test
    void wrongSizeKekNamesFile() throws IOException {
        Path f = dir.resolve("short.kek");
        Files.write(f, new byte[16]);
        assertThatThrownBy(() -> Kek.load(f)).hasMessageContaining(f.toString()).hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> Kek.load(dir.resolve("missing"))).hasMessageContaining("does not exist");
    }

    @Test
    void resolveGeneratesFallbackOnlyForNewState() {
        Kek k = Kek.resolve(Optional.empty(), dir, Optional.empty());
        assertThat(dir.resolve("kek.bin")).exists();
        assertThat(Kek.resolve(Optional.empty(), dir, Optional.of(k.fingerprint())).fingerprint()).isEqualTo(k.fingerprint());
    }

    @Test
    void resolveRefusesMissingFallbackForExistingState() {
        assertThatThrownBy(() -> Kek.resolve(Optional.empty(), dir, Optional.of("sha256:1111111111111111")))
                .hasMessageContaining("kek.bin is missing");
        assertThat(dir.resolve("kek.bin")).doesNotExist();
    }

    @Test
    void resolveRefusesOtherKekShowingBothFingerprints() throws IOException {
        Path f = dir.resolve("other.kek");
        Files.write(f, RandomTokens.bytes(32));
        Kek other = Kek.load(f);
        assertThatThrownBy(() -> Kek.resolve(Optional.of(f), dir, Optional.of("sha256:1111111111111111")))
                .hasMessageContaining("KEK does not match")
                .hasMessageContaining("sha256:1111111111111111")
                .hasMessageContaining(other.fingerprint());
    }

    @Test
    void envelopeRoundTripsAndBindsOwner() {
        Kek kek = Kek.of(RandomTokens.bytes(32));
        Envelope env = new Envelope(kek);
        byte[] secret = "private key".getBytes(StandardCharsets.UTF_8);
        byte[] blob = env.seal("secrets/a", secret);
        assertThat(new String(blob, StandardCharsets.ISO_8859_1)).doesNotContain("private key");
        assertThat(env.open("secrets/a", blob)).isEqualTo(secret);
        assertThatThrownBy(() -> env.open("secrets/b", blob)).hasMessageContaining("belongs to another row");
        byte[] tampered = blob.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThatThrownBy(() -> env.open("secrets/a", tampered)).hasMessageContaining("altered");
        assertThat(env.seal("secrets/a", secret)).isNotEqualTo(blob);
    }

    @Test
    void envelopeNamesBothKeksOnMismatch() {
        Kek a = Kek.of(RandomTokens.bytes(32));
        Kek b = Kek.of(RandomTokens.bytes(32));
        byte[] blob = new Envelope(a).seal("x/1", new byte[] {1});
        assertThatThrownBy(() -> new Envelope(b).open("x/1", blob))
                .hasMessageContaining(a.fingerprint()).hasMessageContaining(b.fingerprint());
        assertThatThrownBy(() -> new Envelope(a).open("x/1", new byte[] {'T', 'Y', 'E', 1})).hasMessageContaining("truncated");
    }

    @Test
    void argon2idHashesVerify() {
        String h = PasswordHasher.hash("correct horse".toCharArray());
        assertThat(h).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(PasswordHasher.verify("correct horse".toCharArray(), h)).isTrue();
        assertThat(PasswordHasher.verify("correct horsf".toCharArray(), h)).isFalse();
        assertThat(PasswordHasher.verify("x".toCharArray(), "$argon2id$garbage")).isFalse();
        assertThat(PasswordHasher.hash("correct horse".toCharArray())).isNotEqualTo(h);
    }

    @Test
    void ed25519SignsAndVerifies() {
        Ed25519KeyPair kp = Ed25519KeyPair.generate();
        byte[] msg = "bundle".getBytes(StandardCharsets.UTF_8);
        byte[] sig = kp.sign(msg);
        assertThat(Ed25519KeyPair.verify(kp.publicKey(), msg, sig)).isTrue();
        assertThat(Ed25519KeyPair.verify(kp.publicKey(), "bundlf".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        Ed25519KeyPair restored = Ed25519KeyPair.fromPrivate(kp.privateKeyBytes());
        assertThat(restored.publicKey()).isEqualTo(kp.publicKey());
        assertThat(Ed25519KeyPair.verify(Ed25519KeyPair.generate().publicKey(), msg, sig)).isFalse();
    }
}
