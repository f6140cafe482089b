package io.tiyi.internal;

import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/** Markers on log lines that a host may want to route or drop by what they are about, not by which class logs them. */
public final class LogMarkers {
    /**
     * A node's own setup on first boot: the generated KEK, the bootstrap admin and its password, the
     * ephemeral JWT secret. A tool that starts a throwaway node (the conformance run) drops them.
     */
    public static final Marker SETUP = MarkerFactory.getMarker("TIYI_SETUP");

    private LogMarkers() {}
}
