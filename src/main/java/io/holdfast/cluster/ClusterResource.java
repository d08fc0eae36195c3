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
import io.holdfast.platform.Jdbc;

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

    private final Jdbc jdbc;
    private final NodeRegistry registry;
    private final Switchover switchover;
    private final CurrentUser user;
    private final PatroniTopology patroni;

    ClusterResource(Jdbc jdbc, NodeRegistry registry, Switchover switchover, CurrentUser user,
            PatroniTopology patroni) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.switchover = switchover;
        this.user = user;
        this.patroni = patroni;
    }

    @GET
    @Path("/cluster")
    public Cluster cluster() {
        var lease = jdbc.queryOne("SELECT holder, epoch, renewed_at, expires_at FROM cluster_lease WHERE id = 1",
                rs -> new Object[] { rs.getString(1), rs.getLong(2), Jdbc.instant(rs, "renewed_at"),
                        Jdbc.instant(rs, "expires_at") }).orElseThrow();
        List<Node> nodes = registry.members().stream()
                .map(m -> new Node(m.name(), m.reachable() ? m.role().name() : "UNREACHABLE", m.address(), m.self(),
                        m.epoch()))
                .toList();
        return new Cluster((Long) lease[1], (String) lease[0], (Instant) lease[2], (Instant) lease[3], nodes,
                database());
    }

    /** Patroni's view when it runs the database (it knows the standbys even while they are down). */
    private Database database() {
        if (patroni.configured()) {
            var topology = patroni.read();
            if (topology.isPresent()) {
                return topology.get();
            }
        }
        List<Standby> standbys = jdbc.query("SELECT application_name, state, sync_state, "
                + "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS lag FROM pg_stat_replication",
                rs -> new Standby(rs.getString(1), rs.getString(2), rs.getString(3), Jdbc.nullableLong(rs, "lag"), null));
        String primary = jdbc.queryOne("SELECT coalesce(host(inet_server_addr()), 'local') || ':' || "
                + "current_setting('port')", rs -> rs.getString(1)).orElse(null);
        return new Database(primary, standbys, "postgresql", primary, null);
    }

    @POST
    @Path("/switchover")
    public Switchover.Done switchover(@Valid @NotNull SwitchoverRequest body) {
        return switchover.run(user.name(), body.target());
    }
}
