package io.tiyi.agent;

import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.RulesArchive;
import io.tiyi.crypto.SealedBox;
import io.tiyi.internal.PrivateFiles;
import io.tiyi.proxy.RuntimeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A bundle's configuration made this host's: TLS keys unsealed in memory, the rule set from the local copy. */
final class LocalConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LocalConfig.class);

    private LocalConfig() {}

    /**
     * @param fetchRules the compressed rule archive with a hash, fetched only when no local copy of it exists
     */
    static RuntimeConfig of(Bundle b, AgentFiles.Identity identity, AgentFiles files, Function<String, byte[]> fetchRules)
            throws IOException, GeneralSecurityException {
        List<RuntimeConfig.CertificateConfig> certs = new ArrayList<>();
        for (RuntimeConfig.CertificateConfig c : b.runtime().certificates()) {
            byte[] box = b.sealedKeys().get(c.name());
            if (box == null) {
                throw new IOException("certificate " + c.name() + " has no sealed key in the bundle");
            }
            byte[] key = SealedBox.open(identity.x25519Private(), box, Bundle.sealedKeyContext(identity.agentId(), c.name()));
            certs.add(new RuntimeConfig.CertificateConfig(c.name(), c.certPem(), key, c.sans(), c.notAfter()));
        }
        // Only the rule set this agent unpacked: a directory named in a bundle is a path on another host,
        // and custom rules must not read this host's files through it.
        RuntimeConfig.WafRules waf = b.runtime().waf().withRulesDirs(List.of());
        if (b.rules() != null && b.rules().hash() != null) {
            Path local = files.rulesDir(b.rules().hash());
            if (!Files.isDirectory(local)) {
                byte[] archive = fetchRules.apply(b.rules().hash());
                PrivateFiles.createDirectories(local.getParent());
                RulesArchive.unpack(archive, b.rules().hash(), local);
                LOG.info("agent: rule set {} fetched ({} bytes)", b.rules().hash().substring(0, 19), archive.length);
            }
            waf = new RuntimeConfig.WafRules("crs", local.toString());
        }
        return b.runtime().withCertificates(certs, waf);
    }
}
