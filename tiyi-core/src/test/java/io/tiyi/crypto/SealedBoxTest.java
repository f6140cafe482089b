package io.tiyi.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;

class SealedBoxTest {
    static final byte[] AAD = "tiyi bundle tls key/ag-1/shop".getBytes(StandardCharsets.UTF_8);

    @Test
    void onlyTheRecipientOpensItAndOnlyForItsPurpose() throws Exception {
        byte[][] agentA = SealedBox.generateKeyPair();
        byte[][] agentB = SealedBox.generateKeyPair();
        byte[] secret = "-----BEGIN PRIVATE KEY----- not really".getBytes(StandardCharsets.UTF_8);
        byte[] box = SealedBox.seal(agentA[1], secret, AAD);

        assertThat(SealedBox.open(agentA[0], box, AAD)).isEqualTo(secret);
        assertThat(new String(box, StandardCharsets.ISO_8859_1)).doesNotContain("PRIVATE KEY");
        assertThatThrownBy(() -> SealedBox.open(agentB[0], box, AAD)).as("another agent's key").isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> SealedBox.open(agentA[0], box, "tiyi bundle tls key/ag-2/shop".getBytes(StandardCharsets.UTF_8)))
                .as("moved to another purpose").isInstanceOf(GeneralSecurityException.class);
        byte[] altered = box.clone();
        altered[altered.length - 1] ^= 1;
        assertThatThrownBy(() -> SealedBox.open(agentA[0], altered, AAD)).isInstanceOf(GeneralSecurityException.class);
        assertThat(SealedBox.seal(agentA[1], secret, AAD)).as("every seal is fresh").isNotEqualTo(box);
        assertThat(SealedBox.publicKeyOf(agentA[0])).isEqualTo(agentA[1]);
    }
}
