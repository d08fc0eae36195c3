package io.holdfast.cluster;

import jakarta.inject.Singleton;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.ModuleApi;

/**
 * Background jobs run only on the ACTIVE node, and only once it has been ACTIVE for {@code holdfast.lease.settle}:
 * right after a failover the bettors' retried placements come first (docs/ARCHITECTURE.md §3).
 */
@Singleton
@ModuleApi
public class PassiveNode implements Scheduled.SkipPredicate {

    private final ClusterState cluster;
    private final long settleMillis;

    PassiveNode(ClusterState cluster, HoldfastConfig config) {
        this.cluster = cluster;
        this.settleMillis = config.lease().settle().toMillis();
    }

    @Override
    public boolean test(ScheduledExecution execution) {
        return !cluster.isActiveFor(settleMillis);
    }
}
