package io.tiyi.siem;

/**
 * Who sends: the syslog HOSTNAME, APP-NAME and PROCID of every message, and the product version
 * CEF and LEEF carry in their headers.
 *
 * @param hostname this machine's name (syslog HOSTNAME, at most 255 printable ASCII characters)
 * @param nodeId the Tiyi node or agent id
 * @param version the Tiyi version
 * @param pid this process's id (syslog PROCID)
 */
public record Origin(String hostname, String nodeId, String version, long pid) {}
