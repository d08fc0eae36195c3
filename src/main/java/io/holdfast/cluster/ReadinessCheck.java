package io.holdfast.cluster;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.holdfast.platform.HoldfastConfig;

/** Ready only while this node holds the lease: the load balancer sends traffic to the ACTIVE node alone. */
@Readiness
@ApplicationScoped
class ReadinessCheck implements HealthCheck {

    private final ClusterState state;
    private final String node;

    ReadinessCheck(ClusterState state, HoldfastConfig config) {
        this.state = state;
        this.node = config.node().name();
    }

    @Override
    public HealthCheckResponse call() {
        ClusterState.Snapshot s = state.snapshot();
        return HealthCheckResponse.named("holdfast-role")
                .status(s.role() == NodeRole.ACTIVE)
                .withData("node", node)
                .withData("role", s.role().name())
                .withData("epoch", s.epoch())
                .build();
    }
}
