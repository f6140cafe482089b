package io.tiyi.siem;

import io.tiyi.events.Event;

final class LeefFormat implements SiemFormat {
    @Override
    public String name() {
        throw new UnsupportedOperationException();
    }

    @Override
    public String format(Event event, Origin origin) {
        throw new UnsupportedOperationException();
    }
}
