package io.tiyi.certs;

import java.util.List;

/**
 * A stored certificate as the API shows it (never the key).
 *
 * @param name unique name
 * @param sans DNS names
 * @param subject leaf subject DN
 * @param issuer leaf issuer DN
 * @param notBefore ms
 * @param notAfter ms
 * @param fingerprint SHA-256 of the leaf
 * @param chainLength certificates in the chain
 * @param createdAt ms
 */
record Certificate(String name, List<String> sans, String subject, String issuer, long notBefore, long notAfter,
        String fingerprint, int chainLength, long createdAt) {}
