package io.holdfast.cluster;

import jakarta.inject.Singleton;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

import io.holdfast.platform.ModuleApi;

/** Background jobs run only on the ACTIVE node. */
@Singleton
@ModuleApi
public class PassiveNode implements Scheduled.SkipPredicate {

    private final ClusterState cluster;

    PassiveNode(ClusterState cluster) {
        this.cluster = cluster;
    }

    @Override
    public boolean test(ScheduledExecution execution) {
        return !cluster.isActive();
    }
}
