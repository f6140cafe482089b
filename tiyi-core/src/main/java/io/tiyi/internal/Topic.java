package io.tiyi.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Typed events of one kind (an agent's report, a change of role) and the features that react to
 * them. Subscribers run on the publisher's thread, in the order they subscribed; one that throws
 * is logged and the others still run, so a feature cannot stop another from hearing the news.
 *
 * @param <E> the event
 */
public final class Topic<E> {
    private static final Logger LOG = LoggerFactory.getLogger(Topic.class);

    private final String name;
    private final List<Consumer<? super E>> subscribers = new CopyOnWriteArrayList<>();

    /** @param name what the events are, for the log */
    public Topic(String name) {
        this.name = name;
    }

    /** Calls {@code subscriber} with every later event. */
    public void subscribe(Consumer<? super E> subscriber) {
        subscribers.add(subscriber);
    }

    /** Tells every subscriber. */
    public void publish(E event) {
        for (Consumer<? super E> s : subscribers) {
            try {
                s.accept(event);
            } catch (RuntimeException e) {
                LOG.error("a subscriber to {} failed: {}", name, e.toString(), e);
            }
        }
    }
}
