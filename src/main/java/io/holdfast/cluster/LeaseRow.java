package io.holdfast.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.holdfast.platform.HoldfastConfig;
import io.quarkus.agroal.DataSource;

/**
 * The SQL of the {@code cluster_lease} row (docs/ARCHITECTURE.md §2) and of the sessions around it, on the lease
 * keeper's own small pool. Every timestamp is the database's clock. Decides nothing: {@link LeaseKeeper}
 * decides when to renew or take over, {@link RoleTransitions} what a role change does.
 */
@ApplicationScoped
class LeaseRow {

    private static final Logger LOG = Logger.getLogger(LeaseRow.class);

    /**
     * The row as read, with the database's clock at the read, and whether the holder's lease session (the pool of
     * {@link LeaseRow}, {@code application_name} = holder + "-lease") is connected at that moment.
     */
    record Lease(String holder, long epoch, Timestamp renewedAt, Timestamp now, String handoverFrom,
            boolean holderConnected, String handoverTo, boolean handoverReady) {
        boolean sameLease(Lease other) {
            return other != null && Objects.equals(holder, other.holder) && epoch == other.epoch
                    && Objects.equals(renewedAt, other.renewedAt);
        }
    }

    private final AgroalDataSource dataSource;
    private final String me;
    private final long ttlMillis;
    private final long lockTimeoutMillis;

    LeaseRow(@DataSource("lease") AgroalDataSource dataSource, HoldfastConfig config) {
        this.dataSource = dataSource;
        this.me = config.node().name();
        this.ttlMillis = config.lease().ttl().toMillis();
        this.lockTimeoutMillis = config.lease().lockTimeout().toMillis();
    }

    Lease read() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT holder, epoch, renewed_at, clock_timestamp(), handover_from, "
                        + "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = holder || '-lease'), "
                        + "handover_to, handover_ready_at IS NOT NULL, pg_is_in_recovery() FROM cluster_lease WHERE id = 1")) {
            rs.next();
            if (rs.getBoolean(9)) {
                // a standby being promoted (HAProxy may route here a moment early): it answers reads, but no holder
                // can renew on it, so silence seen here means nothing; count it as the database being away
                throw new SQLException("the database is still in recovery (read-only)");
            }
            return new Lease(rs.getString(1), rs.getLong(2), rs.getTimestamp(3), rs.getTimestamp(4), rs.getString(5),
                    rs.getBoolean(6), rs.getString(7), rs.getBoolean(8));
        }
    }

    /** Renews this node's lease at {@code epoch}; false when the row holds another holder or epoch (fenced). */
    boolean renew(long epoch) throws SQLException {
        // also completes a handover whose first confirmation (adopt) failed on a database error
        return extend(epoch, "handover_from = NULL, ");
    }

    /** Whether the holder's lease session is waiting for synchronous replication to confirm its commit. */
    boolean renewalWaitsForStandby(String holder) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND wait_event = 'SyncRep'")) {
            ps.setString(1, holder + "-lease");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /**
     * Takes the lease from {@code seen.holder()} (null: a free lease) with epoch + 1, if the row is still as
     * seen. Returns the new epoch, or null when the row moved on (the holder is alive) or stayed locked.
     */
    Long takeOver(Lease seen) throws SQLException {
        String holder = seen.holder();
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                if (holder != null && !holder.equals(me)) {
                    // The holder is silent: frozen, cut off, or dead. End its sessions before taking the row, so a
                    // transaction it left open (holding the lease row FOR KEY SHARE) rolls back, never commits,
                    // and does not make the takeover wait for lock_timeout. (A holder with this node's own name
                    // is an earlier run of this process: its sockets closed when it died, and the sessions
                    // with that name now are ours.)
                    endSessionsOf(c, holder);
                }
                c.setAutoCommit(false);
                try {
                    Long newEpoch = takeOverIn(c, seen);
                    c.commit();
                    return newEpoch;
                } catch (SQLException e) {
                    c.rollback();
                    if (!"55P03".equals(e.getSQLState()) || holder == null) {
                        throw e;
                    }
                    // lock_timeout: a session of the holder opened after we ended the others; end them again
                }
            }
        }
        LOG.warn("Takeover did not get the lease row after 3 attempts; will try again");
        return null;
    }

    /**
     * Ends the holder's sessions that are in a transaction or running a statement: only those can hold the lease row
     * {@code FOR KEY SHARE} or commit anything. Its idle pooled sessions are left alone: each starts its next
     * transaction with the write guard, which finds the new epoch. Measured on a loaded 2-core machine, ending all of
     * them (20-odd) cost the takeover 400 ms: the exits compete for the cores with everything else.
     */
    private void endSessionsOf(Connection c, String holder) throws SQLException {
        try (PreparedStatement kill = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) "
                + "FROM pg_stat_activity WHERE application_name IN (?, ?) AND pid <> pg_backend_pid() "
                + "AND state IS DISTINCT FROM 'idle'")) {
            kill.setString(1, holder);
            kill.setString(2, holder + "-lease");
            try (ResultSet rs = kill.executeQuery()) {
                rs.next();
                LOG.infof("Taking over from %s: ended %d of its database sessions (those not idle)", holder, rs.getLong(1));
            }
        }
    }

    private Long takeOverIn(Connection c, Lease seen) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL lock_timeout = '" + lockTimeoutMillis + "ms'");
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT holder, epoch, renewed_at FROM cluster_lease WHERE id = 1 FOR UPDATE")) {
            rs.next();
            if (!seen.sameLease(new Lease(rs.getString(1), rs.getLong(2), rs.getTimestamp(3), null, null, false, null, false))) {
                return null;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_lease SET holder = ?, epoch = epoch + 1, "
                + "handover_to = NULL, handover_ready_at = NULL, "
                + "renewed_at = clock_timestamp(), expires_at = clock_timestamp() + ? * interval '1 millisecond' "
                + "WHERE id = 1 RETURNING epoch")) {
            ps.setString(1, me);
            ps.setLong(2, ttlMillis);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Completes a handover to this node at {@code epoch}; false when the row moved on since. */
    boolean adopt(long epoch) throws SQLException {
        return extend(epoch, "handover_from = NULL, ");
    }

    /** Moves this node's lease at {@code epoch} forward by the ttl (and sets {@code alsoSet}); false when fenced. */
    private boolean extend(long epoch, String alsoSet) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE cluster_lease SET " + alsoSet + "renewed_at = clock_timestamp(), "
                        + "expires_at = clock_timestamp() + ? * interval '1 millisecond' "
                        + "WHERE id = 1 AND holder = ? AND epoch = ?")) {
            ps.setLong(1, ttlMillis);
            ps.setString(2, me);
            ps.setLong(3, epoch);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * Hands the lease from this node at {@code epoch} to {@code target} with epoch + 1. {@code FOR UPDATE} first: it
     * waits (at most {@code lockTimeout}) for this node's in-flight writes, which hold the row {@code FOR KEY SHARE},
     * so none of them commits after the new epoch. Returns the new epoch; throws when the lease moved on.
     */
    long handOver(long epoch, String target, long lockTimeout) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '" + lockTimeout + "ms'");
                st.executeQuery("SELECT epoch FROM cluster_lease WHERE id = 1 FOR UPDATE").close();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_lease SET holder = ?, epoch = epoch + 1, "
                    + "handover_from = ?, handover_to = NULL, handover_ready_at = NULL, renewed_at = clock_timestamp(), "
                    + "expires_at = clock_timestamp() + ? * interval '1 millisecond' "
                    + "WHERE id = 1 AND holder = ? AND epoch = ? RETURNING epoch")) {
                ps.setString(1, target);
                ps.setString(2, me);
                ps.setLong(3, ttlMillis);
                ps.setString(4, me);
                ps.setLong(5, epoch);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        throw new IllegalStateException("the lease moved on");
                    }
                    long newEpoch = rs.getLong(1);
                    c.commit();
                    return newEpoch;
                }
            }
        }
    }

    /** The holder at {@code epoch} announces a switchover to {@code target}; false when it no longer holds the lease. */
    boolean announceHandover(long epoch, String target) throws SQLException {
        return update("UPDATE cluster_lease SET handover_to = ?, handover_ready_at = NULL "
                + "WHERE id = 1 AND holder = ? AND epoch = ?", target, me, epoch) > 0;
    }

    /** The holder at {@code epoch} calls off an announced switchover. */
    void cancelHandover(long epoch) throws SQLException {
        update("UPDATE cluster_lease SET handover_to = NULL, handover_ready_at = NULL "
                + "WHERE id = 1 AND holder = ? AND epoch = ?", me, epoch);
    }

    /** The announced target says it is ready to receive (only the handover columns: the lease stays the holder's). */
    void confirmIncoming() throws SQLException {
        update("UPDATE cluster_lease SET handover_ready_at = clock_timestamp() "
                + "WHERE id = 1 AND handover_to = ? AND handover_ready_at IS NULL", me);
    }

    /** Whether {@code node} holds the lease at {@code epoch} and has taken it up (a handover it adopted). */
    boolean holds(String node, long epoch) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM cluster_lease WHERE id = 1 AND holder = ? AND epoch = ? AND handover_from IS NULL")) {
            ps.setString(1, node);
            ps.setLong(2, epoch);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private int update(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    /** A clean stop hands the lease back, so the other node can take it without waiting T. */
    void release(long epoch) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE cluster_lease SET holder = NULL WHERE id = 1 AND holder = ? AND epoch = ?")) {
            ps.setString(1, me);
            ps.setLong(2, epoch);
            ps.executeUpdate();
            LOG.infof("Released the lease at epoch %d on shutdown", epoch);
        } catch (SQLException ex) {
            LOG.warnf("Could not release the lease on shutdown: %s", ex.getMessage());
        }
    }

    /** One audit row for this node, on the lease pool (a role change must not wait for the business pool). */
    void audit(String action, String details) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_log (actor, action, details) VALUES (?, ?, ?)")) {
            ps.setString(1, me);
            ps.setString(2, action);
            ps.setString(3, details);
            ps.executeUpdate();
        }
    }
}
