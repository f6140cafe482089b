package io.tiyi.release;

import java.util.Locale;

/** Where an agent is in a rollout; {@link #HEALTHY} and {@link #FAILED} are final. */
public enum RolloutState {
    PENDING,
    DOWNLOADING,
    VERIFIED,
    RESTARTING,
    HEALTHY,
    FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RolloutState fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public boolean terminal() {
        return this == HEALTHY || this == FAILED;
    }

    /** Reports can arrive late or twice: a state moves only forward, and never out of a final one. */
    public boolean canMoveTo(RolloutState next) {
        return !terminal() && (next == FAILED || next.ordinal() > ordinal());
    }
}
