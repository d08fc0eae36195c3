package io.holdfast.cluster;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.holdfast.cluster.ClusterView.Database;
import io.holdfast.cluster.ClusterView.Node;
import io.holdfast.cluster.ClusterView.Standby;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;

/** The cluster at a glance (lease, nodes and roles, database replication), for the API and the ops console. */
@ApplicationScoped
@ModuleApi
public class ClusterStatus {

    private final Jdbc jdbc;
    private final NodeRegistry registry;
    private final PatroniTopology patroni;

    ClusterStatus(Jdbc jdbc, NodeRegistry registry, PatroniTopology patroni) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.patroni = patroni;
    }

    public ClusterView snapshot() {
        var lease = jdbc.queryOne("SELECT holder, epoch, renewed_at, expires_at, expires_at > clock_timestamp() "
                + "FROM cluster_lease WHERE id = 1",
                rs -> new Object[] { rs.getString(1), rs.getLong(2), Jdbc.instant(rs, "renewed_at"),
                        Jdbc.instant(rs, "expires_at"), rs.getBoolean(5) }).orElseThrow();
        String holder = (String) lease[0];
        boolean fresh = (Boolean) lease[4];
        List<Node> nodes = registry.members().stream()
                .map(m -> new Node(m.name(), shownRole(m, holder, fresh), m.address(), m.self(), m.epoch()))
                .toList();
        return new ClusterView((Long) lease[1], (String) lease[0], (Instant) lease[2], (Instant) lease[3], nodes,
                database());
    }

    /**
     * What the ops view shows: never a node's last report as if it were alive. UNREACHABLE when it left the view or
     * went silent; ACTIVE only while the database says it holds a lease that has not expired; a node that last said
     * ACTIVE but does not hold a fresh lease (frozen, cut off from the database, or just fenced) is UNKNOWN.
     */
    private static String shownRole(NodeRegistry.Member m, String holder, boolean fresh) {
        if (!m.reachable()) {
            return "UNREACHABLE";
        }
        if (m.role() == NodeRole.ACTIVE && !(m.name().equals(holder) && fresh)) {
            return "UNKNOWN";
        }
        return m.role().name();
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
}
