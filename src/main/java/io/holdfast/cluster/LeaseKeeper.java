package io.holdfast.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.holdfast.platform.HoldfastConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.agroal.DataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Holds or watches the {@code cluster_lease} row (docs/ARCHITECTURE.md §2). ACTIVE: renews every
 * {@code renew-interval} with the database clock; a renewal that finds another epoch means this node
 * was fenced, and it turns PASSIVE at once. PASSIVE: reads the row and takes over (epoch + 1) only
 * after it has itself seen {@code renewed_at} unchanged for at least {@code ttl} of database time.
 * Runs on its own thread and its own small pool, so bet traffic can never starve a renewal.
 */
@ApplicationScoped
public class LeaseKeeper {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    /** What a passive node saw at its first read of an unchanged lease. */
    private record Sighting(String holder, long epoch, Timestamp renewedAt, Timestamp seenAt) {
        boolean sameLease(String h, long e, Timestamp r) {
            return Objects.equals(holder, h) && epoch == e && Objects.equals(renewedAt, r);
        }
    }

    private final AgroalDataSource dataSource;
    private final ClusterState state;
    private final Event<RoleChanged> roleChanged;
    private final String me;
    private final long renewMillis;
    private final long ttlMillis;
    private final long lockTimeoutMillis;
    private final Counter takeovers;
    private final Counter fencings;
    private final AtomicLong lastTakeoverMillis = new AtomicLong();
    private volatile ScheduledExecutorService executor;
    private volatile Sighting sighting;
    private volatile long lastFailureLog;
    private final java.util.concurrent.atomic.AtomicBoolean extraLook = new java.util.concurrent.atomic.AtomicBoolean();

    LeaseKeeper(@DataSource("lease") AgroalDataSource dataSource, ClusterState state, Event<RoleChanged> roleChanged,
            HoldfastConfig config, MeterRegistry metrics) {
        this.dataSource = dataSource;
        this.state = state;
        this.roleChanged = roleChanged;
        this.me = config.node().name();
        this.renewMillis = config.lease().renewInterval().toMillis();
        this.ttlMillis = config.lease().ttl().toMillis();
        this.lockTimeoutMillis = config.lease().lockTimeout().toMillis();
        Gauge.builder("holdfast_role", state, s -> s.isActive() ? 1 : 0)
                .description("1 while this node is ACTIVE, 0 while PASSIVE").register(metrics);
        Gauge.builder("holdfast_epoch", state, ClusterState::epoch).register(metrics);
        Gauge.builder("holdfast_last_takeover_millis", lastTakeoverMillis, AtomicLong::get)
                .description("How long the last takeover transaction took").register(metrics);
        this.takeovers = Counter.builder("holdfast_takeovers_total").register(metrics);
        this.fencings = Counter.builder("holdfast_fenced_total")
                .description("Times this node found its epoch superseded and turned PASSIVE").register(metrics);
    }

    void start(@Observes StartupEvent ignored) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-keeper");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, 0, renewMillis, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        ScheduledExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
        }
        ClusterState.Snapshot mine = state.snapshot();
        if (mine.role() == NodeRole.ACTIVE && state.demote(mine.epoch())) {
            // A clean stop hands the lease back, so the other node can take it without waiting T.
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "UPDATE cluster_lease SET holder = NULL WHERE id = 1 AND holder = ? AND epoch = ?")) {
                ps.setString(1, me);
                ps.setLong(2, mine.epoch());
                ps.executeUpdate();
                LOG.infof("Released the lease at epoch %d on shutdown", mine.epoch());
            } catch (SQLException ex) {
                LOG.warnf("Could not release the lease on shutdown: %s", ex.getMessage());
            }
        }
    }

    private void tick() {
        try {
            ClusterState.Snapshot mine = state.snapshot();
            if (mine.role() == NodeRole.ACTIVE) {
                renew(mine.epoch());
            } else {
                watch();
            }
        } catch (SQLException e) {
            // The database is away (restart, failover): keep the role; the fence protects the data. A passive
            // forgets what it saw: while the database was away the holder could not renew either, so silence
            // only counts between two successful reads with no failure in between.
            sighting = null;
            long now = System.currentTimeMillis();
            if (now - lastFailureLog > 5000) {
                lastFailureLog = now;
                LOG.warnf("Lease keeper cannot reach the database: %s", e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("Lease keeper tick failed", e);
        }
    }

    private void renew(long epoch) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE cluster_lease SET renewed_at = clock_timestamp(), "
                        + "expires_at = clock_timestamp() + ? * interval '1 millisecond' "
                        + "WHERE id = 1 AND holder = ? AND epoch = ?")) {
            ps.setLong(1, ttlMillis);
            ps.setString(2, me);
            ps.setLong(3, epoch);
            if (ps.executeUpdate() == 0) {
                fenced(epoch, "renewal found the lease moved on");
            }
        }
    }

    private void watch() throws SQLException {
        String holder;
        long epoch;
        Timestamp renewedAt;
        Timestamp now;
        String handoverFrom;
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT holder, epoch, renewed_at, clock_timestamp(), handover_from "
                        + "FROM cluster_lease WHERE id = 1")) {
            rs.next();
            holder = rs.getString(1);
            epoch = rs.getLong(2);
            renewedAt = rs.getTimestamp(3);
            now = rs.getTimestamp(4);
            handoverFrom = rs.getString(5);
        }
        if (me.equals(holder) && handoverFrom != null) {
            adopt(epoch, handoverFrom);
            return;
        }
        if (holder == null) {
            takeOver(null, epoch, renewedAt, "the lease is free");
            return;
        }
        Sighting seen = sighting;
        if (seen == null || !seen.sameLease(holder, epoch, renewedAt)) {
            sighting = new Sighting(holder, epoch, renewedAt, now);
            return;
        }
        long silentFor = now.getTime() - seen.seenAt().getTime();
        if (silentFor >= ttlMillis && renewalWaitsForStandby(holder)) {
            // the holder is alive and renewing; its commit waits for a synchronous standby that is gone or frozen
            // (Patroni drops it from sync after its ttl). Slow storage is no reason to move the lease, nor to end
            // the holder's sessions: look again from scratch once commits go through.
            sighting = null;
            logSlowCommits(holder);
        } else if (silentFor >= ttlMillis) {
            takeOver(holder, epoch, renewedAt, holder + " stopped renewing for " + silentFor + " ms");
        } else if (silentFor >= renewMillis) {
            // the holder has missed a renewal: look again the moment T is up, not at the next tick
            lookAt(ttlMillis - silentFor);
        }
    }

    /** Whether the holder's lease session is waiting for synchronous replication to confirm its commit. */
    private boolean renewalWaitsForStandby(String holder) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND wait_event = 'SyncRep'")) {
            ps.setString(1, holder + "-lease");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private void logSlowCommits(String holder) {
        long now = System.currentTimeMillis();
        if (now - lastFailureLog > 5000) {
            lastFailureLog = now;
            LOG.warnf("%s's lease renewal is waiting for the synchronous standby; not taking over", holder);
        }
    }

    private void lookAt(long delayMillis) {
        ScheduledExecutorService e = executor;
        if (e != null && !e.isShutdown() && extraLook.compareAndSet(false, true)) {
            e.schedule(() -> {
                extraLook.set(false);
                tick();
            }, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void takeOver(String holder, long epoch, Timestamp renewedAt, String reason) throws SQLException {
        long started = System.nanoTime();
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
                    Long newEpoch = takeOverIn(c, holder, epoch, renewedAt, reason);
                    c.commit();
                    sighting = null;
                    if (newEpoch == null) {
                        return;
                    }
                    long took = (System.nanoTime() - started) / 1_000_000;
                    lastTakeoverMillis.set(took);
                    takeovers.increment();
                    ClusterState.Snapshot before = state.set(NodeRole.ACTIVE, newEpoch);
                    LOG.infof("ROLE %s -> ACTIVE at epoch %d (%s; takeover took %d ms)", before.role(), newEpoch,
                            reason, took);
                    roleChanged.fire(new RoleChanged(me, before.role(), NodeRole.ACTIVE, newEpoch, reason));
                    return;
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
    }

    private void endSessionsOf(Connection c, String holder) throws SQLException {
        try (PreparedStatement kill = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) "
                + "FROM pg_stat_activity WHERE application_name IN (?, ?) AND pid <> pg_backend_pid()")) {
            kill.setString(1, holder);
            kill.setString(2, holder + "-lease");
            try (ResultSet rs = kill.executeQuery()) {
                rs.next();
                LOG.infof("Taking over from %s: ended %d of its database sessions", holder, rs.getLong(1));
            }
        }
    }

    /** The takeover transaction; null when the row changed since we looked (the holder is alive). */
    private Long takeOverIn(Connection c, String holder, long epoch, Timestamp renewedAt, String reason)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL lock_timeout = '" + lockTimeoutMillis + "ms'");
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT holder, epoch, renewed_at FROM cluster_lease WHERE id = 1 FOR UPDATE")) {
            rs.next();
            if (!Objects.equals(holder, rs.getString(1)) || epoch != rs.getLong(2)
                    || !Objects.equals(renewedAt, rs.getTimestamp(3))) {
                return null;
            }
        }
        long newEpoch;
        try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_lease SET holder = ?, epoch = epoch + 1, "
                + "renewed_at = clock_timestamp(), expires_at = clock_timestamp() + ? * interval '1 millisecond' "
                + "WHERE id = 1 RETURNING epoch")) {
            ps.setString(1, me);
            ps.setLong(2, ttlMillis);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                newEpoch = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_log (actor, action, details) VALUES (?, 'ROLE_ACTIVE', ?)")) {
            ps.setString(1, me);
            ps.setString(2, "epoch " + newEpoch + ": " + reason);
            ps.executeUpdate();
        }
        return newEpoch;
    }

    /** Look at the lease now rather than at the next tick (a view change, a switchover nudge). */
    void lookNow() {
        ScheduledExecutorService e = executor;
        if (e != null && !e.isShutdown()) {
            e.execute(this::tick);
        }
    }

    /** The lease was handed to this node by a switchover: take it at the epoch the old holder wrote. */
    private void adopt(long epoch, String from) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE cluster_lease SET handover_from = NULL, renewed_at = clock_timestamp(), "
                        + "expires_at = clock_timestamp() + ? * interval '1 millisecond' "
                        + "WHERE id = 1 AND holder = ? AND epoch = ?")) {
            ps.setLong(1, ttlMillis);
            ps.setString(2, me);
            ps.setLong(3, epoch);
            if (ps.executeUpdate() == 0) {
                return;
            }
        }
        sighting = null;
        takeovers.increment();
        ClusterState.Snapshot before = state.set(NodeRole.ACTIVE, epoch);
        String reason = "switchover from " + from;
        LOG.infof("ROLE %s -> ACTIVE at epoch %d (%s)", before.role(), epoch, reason);
        audit("ROLE_ACTIVE", "epoch " + epoch + ": " + reason);
        roleChanged.fire(new RoleChanged(me, before.role(), NodeRole.ACTIVE, epoch, reason));
    }

    /**
     * Switchover: hands the lease to {@code target} with epoch + 1, on the lease thread (so no renewal
     * runs in between). {@code FOR UPDATE} first: it waits for this node's in-flight writes, which hold
     * the row {@code FOR KEY SHARE}, so none of them commits after the new epoch. Returns the new epoch.
     */
    long handOver(String target, long lockTimeout) throws Exception {
        return executor.submit(() -> {
            ClusterState.Snapshot mine = state.snapshot();
            if (mine.role() != NodeRole.ACTIVE) {
                throw new IllegalStateException("not active");
            }
            long newEpoch;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL lock_timeout = '" + lockTimeout + "ms'");
                    st.executeQuery("SELECT epoch FROM cluster_lease WHERE id = 1 FOR UPDATE").close();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_lease SET holder = ?, epoch = epoch + 1, "
                        + "handover_from = ?, renewed_at = clock_timestamp(), "
                        + "expires_at = clock_timestamp() + ? * interval '1 millisecond' "
                        + "WHERE id = 1 AND holder = ? AND epoch = ? RETURNING epoch")) {
                    ps.setString(1, target);
                    ps.setString(2, me);
                    ps.setLong(3, ttlMillis);
                    ps.setString(4, me);
                    ps.setLong(5, mine.epoch());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            throw new IllegalStateException("the lease moved on");
                        }
                        newEpoch = rs.getLong(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO audit_log (actor, action, details) VALUES (?, 'ROLE_PASSIVE', ?)")) {
                    ps.setString(1, me);
                    ps.setString(2, "epoch " + mine.epoch() + ": switchover to " + target + " (epoch " + newEpoch + ")");
                    ps.executeUpdate();
                }
                c.commit();
            }
            if (state.demote(mine.epoch())) {
                LOG.infof("ROLE ACTIVE -> PASSIVE at epoch %d: switchover to %s", mine.epoch(), target);
                roleChanged.fire(new RoleChanged(me, NodeRole.ACTIVE, NodeRole.PASSIVE, mine.epoch(),
                        "switchover to " + target));
            }
            return newEpoch;
        }).get();
    }

    private void audit(String action, String details) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_log (actor, action, details) VALUES (?, ?, ?)")) {
            ps.setString(1, me);
            ps.setString(2, action);
            ps.setString(3, details);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("Could not audit the role change: %s", e.getMessage());
        }
    }

    /** Called by the renewal or the write guard when the database shows another epoch. */
    void fenced(long epoch, String reason) {
        if (!state.demote(epoch)) {
            return;
        }
        fencings.increment();
        sighting = null;
        LOG.warnf("ROLE ACTIVE -> PASSIVE at epoch %d: %s", epoch, reason);
        audit("ROLE_PASSIVE", "epoch " + epoch + ": " + reason);
        roleChanged.fire(new RoleChanged(me, NodeRole.ACTIVE, NodeRole.PASSIVE, epoch, reason));
    }
}
