package io.tiyi.api;

/**
 * A method's answer sent as bytes rather than JSON (an artifact download): {@code application/octet-stream}
 * with its SHA-256 in {@code X-Tiyi-Sha256}, so a large file is neither base64-encoded nor copied.
 *
 * @param data the bytes
 * @param sha256 the SHA-256 of the whole content they are (part of), lowercase hex; null to send no such header
 */
public record RawBody(byte[] data, String sha256) {}
