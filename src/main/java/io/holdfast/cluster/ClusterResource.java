package io.holdfast.cluster;

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
    public ClusterView cluster() {
        return status.snapshot();
    }

    @POST
    @Path("/switchover")
    public Switchover.Done switchover(@Valid @NotNull SwitchoverRequest body) {
        return switchover.run(user.name(), body.target());
    }
}
