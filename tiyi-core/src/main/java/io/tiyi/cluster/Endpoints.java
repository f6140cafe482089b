package io.tiyi.cluster;

import io.tiyi.api.AdminServer;
import io.tiyi.fleet.Fleet;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/** Where the control-plane nodes are: this one's advertised API, and the peers whose embedded agents told theirs. */
final class Endpoints {

    private final Optional<String> advertiseUrl;
    private final InetSocketAddress adminAddress;
    private final Fleet fleet;

    /**
     * @param advertiseUrl {@code server.advertise_url}, if set
     * @param adminAddress the address the admin listener is bound to
     */
    Endpoints(Optional<String> advertiseUrl, InetSocketAddress adminAddress, Fleet fleet) {
        this.advertiseUrl = advertiseUrl;
        this.adminAddress = adminAddress;
        this.fleet = fleet;
    }

    /**
     * The API URL other nodes reach this one at: {@code server.advertise_url}; else the admin
     * listener's address; else, when that is a wildcard, this host's first site-local IPv4 address
     * (or its name).
     */
    String advertised() {
        if (advertiseUrl.isPresent()) {
            return advertiseUrl.get();
        }
        InetSocketAddress bound = adminAddress;
        if (!bound.getAddress().isAnyLocalAddress()) {
            return AdminServer.localUrl(bound);
        }
        return "http://" + hostAddress() + ":" + bound.getPort();
    }

    private static String hostAddress() {
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet4Address && a.isSiteLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }

    /**
     * This node and every other control-plane node whose embedded agent reported its API since
     * this node started, however long ago: a secondary that is down right now is where agents
     * must look once it is promoted. A node that became agent-only reports no API and drops out
     * with its next report; a revoked one at once.
     */
    List<String> controlPlane() {
        LinkedHashSet<String> all = new LinkedHashSet<>();
        all.add(advertised());
        for (Fleet.Agent a : fleet.agents()) {
            fleet.lastReport(a.id()).filter(r -> r.report().nodeApi() != null && !a.revoked()).ifPresent(r -> all.add(r.report().nodeApi()));
        }
        return new ArrayList<>(all);
    }
}
