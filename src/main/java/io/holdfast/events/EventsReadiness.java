package io.holdfast.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The publisher's state and lag in the readiness detail. Always UP: Kafka being down must not take the ACTIVE node
 * out of the load balancer (betting goes on, the outbox grows); readiness stays the role's (cluster/ReadinessCheck).
 */
@Readiness
@ApplicationScoped
class EventsReadiness implements HealthCheck {

    private final OutboxPublisher publisher;

    EventsReadiness(OutboxPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public HealthCheckResponse call() {
        OutboxPublisher.Status s = publisher.status();
        var answer = HealthCheckResponse.named("holdfast-events").up()
                .withData("publisher", s.state())
                .withData("lagRows", s.lagRows())
                .withData("lagSeconds", Math.round(s.lagSeconds() * 10) / 10.0 + "");
        if (s.lastError() != null) {
            answer.withData("lastError", s.lastError());
        }
        return answer.build();
    }
}
