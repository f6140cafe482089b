package io.tiyi.bundle;

import java.nio.charset.StandardCharsets;

/** What both sides of enrollment agree on. */
public final class Enrollment {
    private Enrollment() {}

    /**
     * The message an agent signs with its new ed25519 key when it enrolls: the token and its X25519
     * public key, so the control plane knows the agent holds the key it registers and the X25519
     * key it seals secrets to came from the same agent.
     */
    public static byte[] proofMessage(String token, byte[] x25519Public) {
        byte[] head = ("tiyi enroll v1\n" + token + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] m = new byte[head.length + x25519Public.length];
        System.arraycopy(head, 0, m, 0, head.length);
        System.arraycopy(x25519Public, 0, m, head.length, x25519Public.length);
        return m;
    }
}
