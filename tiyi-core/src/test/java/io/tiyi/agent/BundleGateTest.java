package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.bundle.SignedBundle.Refusal;
import io.tiyi.bundle.SignedBundle.RefusedException;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.proxy.RuntimeConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BundleGateTest {
    static final Ed25519KeyPair KEY = Ed25519KeyPair.generate();
    static final AgentFiles.Pin PIN = new AgentFiles.Pin(KEY.publicKey(), Ed25519KeyPair.fingerprint(KEY.publicKey()), 0);

    static Bundle bundle(String agent, long epoch, long seq) {
        RuntimeConfig rc = RuntimeConfig.empty(new RuntimeConfig.Listeners("127.0.0.1:0", "127.0.0.1:0"));
        return new Bundle(Bundle.FORMAT, epoch, seq, agent, 1L, rc, Map.of(), new Bundle.RulesRef("builtin", null, 0), List.of(), List.of());
    }

    static Refusal refusal(SignedBundle b, AgentFiles.Pin pin, long appliedEpoch, long appliedSeq) {
        try {
            BundleGate.check(b, pin, "ag-1", appliedEpoch, appliedSeq);
            return null;
        } catch (RefusedException e) {
            return e.reason();
        }
    }

    @Test
    void aBundleSignedByThePinnedKeyForThisAgentIsAccepted() throws Exception {
        SignedBundle b = SignedBundle.sign(bundle("ag-1", 2, 10), KEY);
        assertThat(BundleGate.check(b, PIN, "ag-1", 2, 9).seq()).isEqualTo(10);
    }

    @Test
    void aTamperedBundleIsRefused() {
        SignedBundle good = SignedBundle.sign(bundle("ag-1", 1, 5), KEY);
        byte[] payload = good.payload().clone();
        String json = new String(payload, java.nio.charset.StandardCharsets.UTF_8).replace("\"seq\":5", "\"seq\":6");
        SignedBundle tampered = new SignedBundle(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), good.signature(), good.signingKey());
        assertThat(refusal(tampered, PIN, 0, 0)).isEqualTo(Refusal.BAD_SIGNATURE);
        byte[] sig = good.signature().clone();
        sig[3] ^= 1;
        assertThat(refusal(new SignedBundle(good.payload(), sig, good.signingKey()), PIN, 0, 0)).isEqualTo(Refusal.BAD_SIGNATURE);
    }

    @Test
    void aBundleFromAnotherSigningKeyIsRefusedAndNeverRepinned() {
        Ed25519KeyPair other = Ed25519KeyPair.generate();
        SignedBundle b = SignedBundle.sign(bundle("ag-1", 1, 5), other);
        assertThatThrownBy(() -> BundleGate.check(b, PIN, "ag-1", 0, 0)).isInstanceOfSatisfying(RefusedException.class, e -> {
            assertThat(e.reason()).isEqualTo(Refusal.OTHER_SIGNING_KEY);
            assertThat(e.getMessage()).contains("refusing to re-pin").contains(PIN.fingerprint());
        });
        // A bundle that claims the pinned key but was signed by another is a bad signature.
        SignedBundle forged = new SignedBundle(b.payload(), b.signature(), KEY.publicKey());
        assertThat(refusal(forged, PIN, 0, 0)).isEqualTo(Refusal.BAD_SIGNATURE);
    }

    @Test
    void aLowerVersionIsRefusedAsARollback() {
        assertThat(refusal(SignedBundle.sign(bundle("ag-1", 3, 7), KEY), PIN, 3, 8)).isEqualTo(Refusal.LOWER_VERSION);
        assertThat(refusal(SignedBundle.sign(bundle("ag-1", 3, 8), KEY), PIN, 3, 8)).as("the same version is not refused").isNull();
        assertThat(refusal(SignedBundle.sign(bundle("ag-1", 4, 1), KEY), PIN, 3, 8)).as("a higher epoch restarts seq").isNull();
    }

    @Test
    void aBundleFromALowerEpochThanEverSeenIsRefused() {
        AgentFiles.Pin seen = PIN.withEpoch(5);
        assertThatThrownBy(() -> BundleGate.check(SignedBundle.sign(bundle("ag-1", 4, 100), KEY), seen, "ag-1", 0, 0))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Refusal.LOWER_EPOCH);
                    assertThat(e.getMessage()).contains("epoch 4").contains("epoch 5");
                });
    }

    @Test
    void aBundleForAnotherAgentIsRefused() {
        assertThat(refusal(SignedBundle.sign(bundle("ag-2", 1, 1), KEY), PIN, 0, 0)).isEqualTo(Refusal.OTHER_AGENT);
    }
}
