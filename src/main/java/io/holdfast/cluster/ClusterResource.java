package io.holdfast.cluster;

import java.time.Instant;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import io.holdfast.platform.CurrentUser;

/** Ops: the cluster at a glance (lease, nodes and their roles, database replication) and the flip. */
@Path("/api/ops")
@RolesAllowed("ops")
public class ClusterResource {

    public record Node(String name, String role, String address, boolean self, long epoch) {
    }

    /** A standby as Patroni (state running/streaming/stopped…) or pg_stat_replication (state streaming…) sees it. */
    public record Standby(String name, String state, String syncState, Long lagBytes, String address) {
    }

    /** {@code source}: "patroni" (its REST API) or "postgresql" (pg_stat_replication on the primary). */
    public record Database(String primary, List<Standby> standbys, String source, String primaryAddress,
            Long timeline) {
    }

    public record Cluster(long epoch, String active, Instant renewedAt, Instant expiresAt, List<Node> nodes,
            Database database) {
    }

    public record SwitchoverRequest(@NotBlank String target) {
    }

    private final ClusterStatus status;
    private final Switchover switchover;
    private final CurrentUser user;

    ClusterResource(ClusterStatus status, Switchover switchover, CurrentUser user) {
        this.status = status;
        this.switchover = switchover;
        this.user = user;
    }

    @GET
    @Path("/cluster")
    public Cluster cluster() {
        return status.snapshot();
    }

    @POST
    @Path("/switchover")
    public Switchover.Done switchover(@Valid @NotNull SwitchoverRequest body) {
        return switchover.run(user.name(), body.target());
    }
}
