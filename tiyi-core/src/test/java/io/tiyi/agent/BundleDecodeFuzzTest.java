package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.bundle.SignedBundle.RefusedException;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.internal.Json;
import io.tiyi.testsupport.Fuzzing;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes what an agent does with a bundle it downloaded (or reads back from its state directory):
 * decode the {@link SignedBundle} from JSON as {@code AgentRuntime} and {@code AgentFiles} do, then
 * {@link BundleGate#check} it, which verifies the signature with the pinned key and decodes the
 * {@link Bundle} inside.
 *
 * <p>Contract: decoding the signed bundle either succeeds or throws {@link IOException} (Jackson's
 * processing exceptions; the agent treats it as an unreachable or unreadable bundle); checking it
 * either returns a bundle or throws {@link RefusedException} with a reason; after a refusal
 * {@link SignedBundle#claimedVersion()} does not throw. Anything else (an NPE on a missing field,
 * an exception out of a record constructor, a stack overflow on deep JSON), or an input taking
 * longer than the timeout, is a bug: it would end the agent's sync loop instead of refusing the
 * bundle.
 *
 * <p>Input: the first byte picks the mode. {@code W}: the rest is the signed bundle's wire form,
 * {@code {"payload":…,"signature":…,"signing_key":…}} (seeds carry real signatures by the fixed
 * test key below). Any other byte: the rest is a bundle payload, which the target signs with the
 * pinned test key, so the fuzzer reaches the decoding of the {@link Bundle} itself.
 */
class BundleDecodeFuzzTest {
    /** A fixed key, so that checked-in seeds can carry valid signatures. */
    static final Ed25519KeyPair KEY = Ed25519KeyPair.fromPrivate(seed());
    static final AgentFiles.Pin PIN = new AgentFiles.Pin(KEY.publicKey(), Ed25519KeyPair.fingerprint(KEY.publicKey()), 0);

    private static byte[] seed() {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) 7);
        return b;
    }

    @FuzzTest(maxDuration = "30s")
    @Timeout(value = Fuzzing.TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"\"format\":1", "\"epoch\":", "\"seq\":", "\"agent_id\":\"ag-1\"", "\"created_at\":", "\"runtime\":",
            "\"sealed_keys\":{}", "\"rules\":{\"kind\":\"builtin\",\"hash\":null,\"size\":0}", "\"endpoints\":[]", "\"commands\":[]",
            "\"listeners\":", "\"sites\":[]", "\"certificates\":[]", "\"waf\":", "\"payload\":\"", "\"signature\":\"",
            "\"signing_key\":\"", "null", "\"args\":{}"})
    void decodeAndCheck(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        SignedBundle signed;
        if (input[0] == 'W') {
            JsonNode tree;
            try {
                // As the agent reads a WATCH answer's "bundle" and its own bundle.json.
                tree = Json.MAPPER.readTree(rest);
                if (tree == null) {
                    return;
                }
                signed = Json.MAPPER.treeToValue(tree, SignedBundle.class);
                SignedBundle direct = Json.MAPPER.readValue(rest, SignedBundle.class);
                // JSON null decodes to no bundle both ways, which the agent treats as none received.
                assertThat(direct == null).isEqualTo(signed == null);
                if (signed == null) {
                    return;
                }
                assertThat(direct.payload()).isEqualTo(signed.payload());
            } catch (IOException expected) {
                return;
            }
        } else {
            signed = new SignedBundle(rest, KEY.sign(rest), KEY.publicKey());
        }
        try {
            Bundle b = BundleGate.check(signed, PIN, "ag-1", 0, 0);
            assertThat(b.format()).isEqualTo(Bundle.FORMAT);
            assertThat(b.version()).isNotNull();
        } catch (RefusedException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(signed.claimedVersion()).hasSize(2);
        }
    }
}
