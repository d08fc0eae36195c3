package io.holdfast.cluster;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.holdfast.platform.HoldfastConfig;

/**
 * Ready only while this node holds the lease and the database confirmed it within T: the load balancer sends traffic
 * to the ACTIVE node alone, and never to one that cannot write. An ACTIVE whose renewals fail (the database is
 * unreachable from it) keeps its role, since the fence keeps it safe and a database restart should not move the lease,
 * but turns not-ready within T: if only this node lost the database, the other takes over after T and gets the
 * traffic; if both did, the load balancer answers a retriable 503 until the database is back. The announced target
 * of a switchover is ready too, before the lease moves: the load balancer already sends to it, it holds the writes
 * until the lease arrives, and the old active serves until the handover (no stretch without a node to send to); the
 * target confirms to the active only after it has answered this check UP, so the active stops admitting writes only
 * once the load balancer already counts on the target.
 * So is a PASSIVE whose holder has not renewed for {@code 2T/3} (frozen, most likely): it takes over at T unless the
 * holder renews, and the requests the load balancer resends from the frozen node wait here for that, not on it.
 */
@Readiness
@ApplicationScoped
class ReadinessCheck implements HealthCheck {

    private final ClusterState state;
    private final String node;
    private final long ttlMillis;

    ReadinessCheck(ClusterState state, HoldfastConfig config) {
        this.state = state;
        this.node = config.node().name();
        this.ttlMillis = config.lease().ttl().toMillis();
    }

    @Override
    public HealthCheckResponse call() {
        ClusterState.Snapshot s = state.snapshot();
        long leaseAge = state.leaseAgeMillis();
        boolean leaseFresh = leaseAge < ttlMillis;
        boolean receiving = state.isReceiving();
        if (receiving) {
            state.answeredReady(); // a switchover's target confirms to the active only once the load balancer saw this
        }
        return HealthCheckResponse.named("holdfast-role")
                .status(s.role() == NodeRole.ACTIVE && leaseFresh || receiving)
                .withData("node", node)
                .withData("role", s.role().name())
                .withData("epoch", s.epoch())
                .withData("incoming", state.isIncoming())
                .withData("takingOver", state.isSuspecting())
                .withData("leaseConfirmedMillisAgo", s.role() == NodeRole.ACTIVE ? leaseAge : -1)
                .build();
    }
}
