package io.tiyi.proxy;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Picks the certificate for each TLS handshake from the requested server name (SNI): the site's
 * pinned certificate if it has one, else a certificate whose SANs match, else the first one of
 * the right key type. The set is swapped atomically with the runtime configuration, so new
 * certificates take effect without reopening the listener.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
    /** A certificate ready for handshakes. */
    record Entry(String alias, X509Certificate[] chain, PrivateKey key, List<String> sans) {}

    /** Everything the key manager needs from one configuration. */
    record Snapshot(Map<String, Entry> entries, Map<String, String> pins) {}

    private final AtomicReference<Snapshot> current = new AtomicReference<>(new Snapshot(Map.of(), Map.of()));

    void update(RuntimeConfig cfg) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (RuntimeConfig.CertificateConfig c : cfg.certificates()) {
            try {
                List<X509Certificate> chain = new ArrayList<>();
                for (java.security.cert.Certificate x : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(c.certPem().getBytes(StandardCharsets.US_ASCII)))) {
                    chain.add((X509Certificate) x);
                }
                String alg = chain.get(0).getPublicKey().getAlgorithm();
                PrivateKey key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(c.keyPkcs8()));
                entries.put(c.name(), new Entry(c.name(), chain.toArray(new X509Certificate[0]), key, c.sans()));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalArgumentException("certificate " + c.name() + " cannot be loaded: " + e.getMessage(), e);
            }
        }
        Map<String, String> pins = new LinkedHashMap<>();
        for (RuntimeConfig.SiteConfig s : cfg.sites()) {
            if (s.certificate() != null) {
                for (String h : s.hosts()) {
                    pins.put(h, s.certificate());
                }
            }
        }
        current.set(new Snapshot(entries, pins));
    }

    boolean isEmpty() {
        return current.get().entries().isEmpty();
    }

    private static boolean sanMatches(String san, String host) {
        if (san.startsWith("*.")) {
            String suffix = san.substring(1);
            return host.endsWith(suffix) && host.indexOf('.') == host.length() - suffix.length();
        }
        return san.equals(host);
    }

    private static boolean hostEntryMatches(String entry, String host) {
        return entry.startsWith("*.") ? host.endsWith(entry.substring(1)) && host.length() > entry.length() - 1 : entry.equals(host);
    }

    String choose(String keyType, String sni) {
        Snapshot s = current.get();
        if (sni != null) {
            String host = sni.toLowerCase(Locale.ROOT);
            for (Map.Entry<String, String> pin : s.pins().entrySet()) {
                Entry e = s.entries().get(pin.getValue());
                if (e != null && hostEntryMatches(pin.getKey(), host) && keyType(e, keyType)) {
                    return e.alias();
                }
            }
            for (Entry e : s.entries().values()) {
                if (keyType(e, keyType) && e.sans().stream().anyMatch(san -> sanMatches(san, host))) {
                    return e.alias();
                }
            }
        }
        for (Entry e : s.entries().values()) {
            if (keyType(e, keyType)) {
                return e.alias();
            }
        }
        return null;
    }

    private static boolean keyType(Entry e, String keyType) {
        String alg = e.key().getAlgorithm();
        return keyType == null || keyType.equalsIgnoreCase(alg) || ("EdDSA".equals(keyType) && alg.startsWith("Ed"));
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, sni(engine == null ? null : engine.getHandshakeSession()));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType, socket instanceof javax.net.ssl.SSLSocket ss ? sni(ss.getHandshakeSession()) : null);
    }

    private static String sni(SSLSession session) {
        if (session instanceof ExtendedSSLSession ext) {
            for (SNIServerName n : ext.getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    return h.getAsciiName();
                }
            }
        }
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Entry e = current.get().entries().get(alias);
        return e == null ? null : e.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Entry e = current.get().entries().get(alias);
        return e == null ? null : e.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return current.get().entries().keySet().toArray(new String[0]);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[0];
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
