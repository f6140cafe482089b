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
public record Origin(String hostname, String nodeId, String version, long pid) {
    /** This process on this machine, as {@code nodeId}. */
    public static Origin local(String nodeId) {
        return new Origin(localHostname(), nodeId, io.tiyi.TiyiVersion.version(), ProcessHandle.current().pid());
    }

    private static String localHostname() {
        // The kernel's name first: InetAddress.getLocalHost() may wait on DNS.
        try {
            String h = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (java.io.IOException | RuntimeException ignored) {
            // Not Linux: ask the JDK.
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
