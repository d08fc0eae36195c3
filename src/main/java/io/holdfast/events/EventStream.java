package io.holdfast.events;

import jakarta.enterprise.context.ApplicationScoped;

import io.holdfast.platform.ModuleApi;

/** How the stream of events is doing on this node, for the ops console: the publisher's state and its lag. */
@ApplicationScoped
@ModuleApi
public class EventStream {

    /**
     * {@code publisher}: OFF (no Kafka configured), STANDBY (not the ACTIVE node), PUBLISHING or FAILING (Kafka
     * unreachable: betting goes on, the outbox grows). The lag is read by the ACTIVE's publisher once a second.
     */
    public record Publishing(String publisher, long lagRows, double lagSeconds, String lastError) {
    }

    private final OutboxPublisher publisher;

    EventStream(OutboxPublisher publisher) {
        this.publisher = publisher;
    }

    public Publishing publishing() {
        OutboxPublisher.Status s = publisher.status();
        return new Publishing(s.state(), s.lagRows(), Math.round(s.lagSeconds() * 10) / 10.0, s.lastError());
    }
}
