package io.tiyi.certs;

import io.tiyi.TiyiException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** A certificate chain and its private key parsed from PEM, checked to belong together. */
final class PemMaterial {
    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private PemMaterial(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain;
        this.key = key;
    }

    /**
     * Parses and checks: the chain is X.509 PEM (leaf first), the key is PKCS#8 or a traditional
     * RSA/EC key, and the key is the leaf's.
     *
     * @throws TiyiException naming what is wrong
     */
    public static PemMaterial parse(String certPem, String keyPem) {
        List<X509Certificate> chain = parseChain(certPem);
        PrivateKey key = parseKey(keyPem);
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw TiyiException.invalid("the private key does not belong to the certificate (" + subject(chain.get(0)) + ")");
        }
        return new PemMaterial(chain, key);
    }

    static List<X509Certificate> parseChain(String pem) {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw TiyiException.invalid("certificate file holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Collection<? extends java.security.cert.Certificate> certs = cf.generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> out = new ArrayList<>();
            for (java.security.cert.Certificate c : certs) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw TiyiException.invalid("certificate file holds no certificate");
            }
            return out;
        } catch (CertificateException | IllegalArgumentException e) {
            throw TiyiException.invalid("certificate file is not a valid PEM X.509 certificate: " + e.getMessage());
        }
    }

    static PrivateKey parseKey(String pem) {
        if (pem == null || !pem.contains("PRIVATE KEY-----")) {
            throw TiyiException.invalid("key file holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        if (pem.contains("ENCRYPTED PRIVATE KEY")) {
            throw TiyiException.invalid("the private key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)");
        }
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getKeyPair(kp).getPrivate();
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw TiyiException.invalid("key file holds no supported private key (PKCS#8, RSA or EC)");
        } catch (IOException | org.bouncycastle.util.encoders.DecoderException e) {
            // A body that is not base64 surfaces as Bouncy Castle's unchecked DecoderException.
            throw TiyiException.invalid("key file is not a valid PEM private key: " + e.getMessage());
        }
    }

    private static boolean matches(PrivateKey key, PublicKey pub) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null || !key.getAlgorithm().equals(pub.getAlgorithm()) && !(key instanceof ECKey && pub instanceof ECKey)) {
            return false;
        }
        try {
            byte[] probe = "tiyi-key-match".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    public PrivateKey key() {
        return key;
    }

    /** DNS names of the leaf: its DNS SANs, or its CN when it has none. */
    public List<String> sans() {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> alt = leaf().getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> e : alt) {
                    if (((Integer) e.get(0)) == 2) {
                        out.add(((String) e.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // Treated as no SANs; the CN below still names the certificate.
        }
        if (out.isEmpty()) {
            String dn = leaf().getSubjectX500Principal().getName(X500Principal.RFC2253);
            for (String part : dn.split(",")) {
                if (part.startsWith("CN=")) {
                    out.add(part.substring(3).toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    public static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    /** SHA-256 of the leaf's DER encoding, hex. */
    public String fingerprint() {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf().getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chain back in PEM, normalised. */
    public String chainPem() {
        StringBuilder sb = new StringBuilder();
        java.util.Base64.Encoder enc = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (X509Certificate c : chain) {
            try {
                sb.append("-----BEGIN CERTIFICATE-----\n").append(enc.encodeToString(c.getEncoded())).append("\n-----END CERTIFICATE-----\n");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.toString();
    }
}
