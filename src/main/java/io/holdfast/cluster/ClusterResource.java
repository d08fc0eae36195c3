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

import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ProblemException;

/**
 * Ops: the cluster at a glance. Single-node stage: the lease row and this node; the peer node and the
 * database replicas arrive with the pair (issue 4) and Patroni (issue 5).
 */
@Path("/api/ops")
@RolesAllowed("ops")
public class ClusterResource {

    public record Node(String name, String role, String address, boolean self) {
    }

    public record Standby(String name, String state, String syncState, Long lagBytes) {
    }

    public record Database(String primary, List<Standby> standbys) {
    }

    public record Cluster(long epoch, String active, Instant renewedAt, Instant expiresAt, List<Node> nodes,
            Database database) {
    }

    public record Switchover(@NotBlank String target) {
    }

    public record SwitchoverDone(long epoch, String active, long tookMillis) {
    }

    private final Jdbc jdbc;
    private final ClusterState state;
    private final HoldfastConfig config;

    ClusterResource(Jdbc jdbc, ClusterState state, HoldfastConfig config) {
        this.jdbc = jdbc;
        this.state = state;
        this.config = config;
    }

    @GET
    @Path("/cluster")
    public Cluster cluster() {
        var lease = jdbc.queryOne("SELECT holder, epoch, renewed_at, expires_at FROM cluster_lease WHERE id = 1",
                rs -> new Object[] { rs.getString(1), rs.getLong(2), Jdbc.instant(rs, "renewed_at"),
                        Jdbc.instant(rs, "expires_at") }).orElseThrow();
        String me = config.node().name();
        Node self = new Node(me, state.snapshot().role().name(), config.db().url().isEmpty() ? null : localAddress(), true);
        List<Standby> standbys = jdbc.query("SELECT application_name, state, sync_state, "
                + "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication",
                rs -> new Standby(rs.getString(1), rs.getString(2), rs.getString(3), Jdbc.nullableLong(rs, "pg_wal_lsn_diff")));
        String primary = jdbc.queryOne("SELECT coalesce(inet_server_addr()::text, 'local') || ':' || "
                + "current_setting('port')", rs -> rs.getString(1)).orElse(null);
        return new Cluster((Long) lease[1], (String) lease[0], (Instant) lease[2], (Instant) lease[3], List.of(self),
                new Database(primary, standbys));
    }

    @POST
    @Path("/switchover")
    public SwitchoverDone switchover(@Valid @NotNull Switchover body) {
        ClusterState.Snapshot s = state.snapshot();
        if (body.target().equals(config.node().name()) && s.role() == NodeRole.ACTIVE) {
            return new SwitchoverDone(s.epoch(), body.target(), 0);
        }
        throw ProblemException.conflict("UNKNOWN_TARGET", "No healthy node named '" + body.target() + "' in this cluster");
    }

    private static String localAddress() {
        return "127.0.0.1:" + org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.port", String.class).orElse("8080");
    }
}
