package io.tiyi.siem;

import io.tiyi.events.Event;

final class CefFormat implements SiemFormat {
    @Override
    public String name() {
        throw new UnsupportedOperationException();
    }

    @Override
    public String format(Event event, Origin origin) {
        throw new UnsupportedOperationException();
    }
}
