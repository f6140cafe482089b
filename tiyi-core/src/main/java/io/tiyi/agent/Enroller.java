package io.tiyi.agent;

import io.tiyi.TiyiException;
import io.tiyi.bundle.Enrollment;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.AgentsService;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.crypto.SealedBox;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrollment, once per state directory: the agent generates its X25519 key (secrets are sealed to
 * it) and its ed25519 key, proves it holds them with the single-use token, and pins the bundle
 * signing key the control plane presents.
 */
final class Enroller {
    private static final Logger LOG = LoggerFactory.getLogger(Enroller.class);

    private Enroller() {}

    /** See {@link AgentRuntime#enroll}. */
    static AgentFiles.Identity enroll(AgentFiles files, UnaryOperator<String> route, String apiUrl, String token) {
        Optional<AgentFiles.Identity> existing = files.identity();
        if (existing.isPresent()) {
            AgentFiles.Identity id = existing.get();
            if (token != null) {
                LOG.warn("agent: already enrolled as {} in {}; the enrollment token was not used (start with --api and --state-dir only)",
                        id.agentId(), files.dir());
            }
            if (apiUrl != null && !apiUrl.equals(id.api())) {
                id = new AgentFiles.Identity(apiUrl, id.agentId(), id.tag(), id.credential(), id.x25519Private(), id.ed25519Private());
                files.identity(id);
            }
            if (files.pin().isEmpty()) {
                throw new TiyiException(files.dir().resolve(AgentFiles.PIN) + " is missing: the agent cannot check bundles without its pinned"
                        + " signing key; re-enroll into an empty --state-dir with a new token");
            }
            return id;
        }
        if (apiUrl == null) {
            throw TiyiException.invalid("this agent is not enrolled yet: give --api URL and --enrollment-token TOKEN");
        }
        if (token == null) {
            throw TiyiException.invalid("this agent is not enrolled yet: give --enrollment-token (tiyi agents issue-token --tag TAG prints one)");
        }
        byte[][] x = SealedBox.generateKeyPair();
        Ed25519KeyPair ed = Ed25519KeyPair.generate();
        byte[] proofMessage = Enrollment.proofMessage(token, x[1]);
        AgentsService.EnrollResponse r = TiyiClient.of(route.apply(apiUrl), null).call(AgentsService.ENROLL,
                new AgentsService.EnrollRequest(token, x[1], ed.publicKey(), ed.sign(proofMessage)));
        byte[] signingKey = r.signingKey();
        AgentFiles.Identity id = new AgentFiles.Identity(apiUrl, r.agentId(), r.tag(), r.credential(), x[0], ed.privateKeyBytes());
        files.pin(new AgentFiles.Pin(signingKey, Ed25519KeyPair.fingerprint(signingKey), 0));
        files.identity(id);
        LOG.info("agent: enrolled with {} as {} (tag {}); pinned bundle signing key {}", apiUrl, id.agentId(), id.tag(),
                Ed25519KeyPair.fingerprint(signingKey));
        return id;
    }
}
