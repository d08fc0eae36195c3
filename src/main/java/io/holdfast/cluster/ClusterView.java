package io.holdfast.cluster;

import java.time.Instant;
import java.util.List;

import io.holdfast.platform.ModuleApi;

/** The cluster at a glance: the lease, the nodes and their roles, the database's replication. */
@ModuleApi
public record ClusterView(long epoch, String active, Instant renewedAt, Instant expiresAt, List<Node> nodes,
        Database database) {

    public record Node(String name, String role, String address, boolean self, long epoch) {
    }

    /** A standby as Patroni (state running/streaming/stopped…) or pg_stat_replication (state streaming…) sees it. */
    public record Standby(String name, String state, String syncState, Long lagBytes, String address) {
    }

    /** {@code source}: "patroni" (its REST API) or "postgresql" (pg_stat_replication on the primary). */
    public record Database(String primary, List<Standby> standbys, String source, String primaryAddress,
            Long timeline) {
    }
}
