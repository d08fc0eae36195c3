package io.holdfast.cluster;

import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.holdfast.cluster.LeaseRow.Lease;
import io.holdfast.cluster.RoleTransitions.Cause;
import io.holdfast.platform.HoldfastConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Holds or watches the lease (docs/ARCHITECTURE.md §2): the loop and its decisions. ACTIVE: renews every
 * {@code renew-interval}; a renewal that finds another epoch means this node was fenced, and it turns PASSIVE at
 * once. PASSIVE: reads the row and takes over (epoch + 1) only after it has itself seen {@code renewed_at}
 * unchanged for at least {@code ttl} of database time. Runs on its own thread and its own small pool
 * ({@link LeaseRow}), so bet traffic can never starve a renewal; role changes go through {@link RoleTransitions}.
 */
@ApplicationScoped
class LeaseKeeper {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    /** What a passive node saw at its first read of an unchanged lease (seenAt: the database clock then). */
    private record Sighting(Lease lease) {
        long silentFor(Lease now) {
            return now.now().getTime() - lease.now().getTime();
        }
    }

    /** How long a switchover's target holds writes for the lease at most (the whole handshake takes a few 100 ms). */
    private static final long INCOMING_MILLIS = 3_000;
    /** How often a switchover's target looks at the lease while it expects it. */
    private static final long INCOMING_POLL_MILLIS = 5;
    /**
     * How long a switchover's target waits for a readiness check answered UP before it confirms anyway (HAProxy checks
     * a down server every 50 ms; twice that, for slack; without a load balancer's checks this is the whole wait).
     */
    private static final long LB_NOTICE_MILLIS = 100;
    /** How long past T a node that expects to take over stays ready if its lease loop stalls (then it gives up). */
    private static final long SUSPECT_SLACK_MILLIS = 300;

    private final LeaseRow row;
    private final RoleTransitions roles;
    private final ClusterState state;
    private final String me;
    private final long renewMillis;
    private final long ttlMillis;
    /** Silence after which a PASSIVE expects to take over (2T/3): it turns ready and holds writes until T. */
    private final long suspectMillis;
    private final AtomicBoolean extraLook = new AtomicBoolean();
    private volatile ScheduledExecutorService executor;
    private volatile Sighting sighting;
    /** The holder whose lease session this node has seen connected since its last failed read, or null. */
    private volatile String holderSeenConnected;
    private volatile long lastFailureLog;

    LeaseKeeper(LeaseRow row, RoleTransitions roles, ClusterState state, HoldfastConfig config) {
        this.row = row;
        this.roles = roles;
        this.state = state;
        this.me = config.node().name();
        this.renewMillis = config.lease().renewInterval().toMillis();
        this.ttlMillis = config.lease().ttl().toMillis();
        this.suspectMillis = ttlMillis * 2 / 3;
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
        if (mine.role() == NodeRole.ACTIVE && roles.becomePassive(mine.epoch(), "shutting down", Cause.STOPPED)) {
            row.release(mine.epoch());
        }
    }

    private void tick() {
        try {
            ClusterState.Snapshot mine = state.snapshot();
            if (mine.role() == NodeRole.ACTIVE) {
                sighting = null;
                if (row.renew(mine.epoch())) {
                    state.leaseConfirmed();
                } else {
                    roles.becomePassive(mine.epoch(), "renewal found the lease moved on", Cause.FENCED);
                }
            } else {
                watch();
            }
        } catch (SQLException e) {
            // The database is away (restart, failover): keep the role; the fence protects the data. A passive
            // forgets what it saw: while the database was away the holder could not renew either, so silence
            // only counts between two successful reads with no failure in between.
            sighting = null;
            holderSeenConnected = null;
            endSuspicion();
            long now = System.currentTimeMillis();
            if (now - lastFailureLog > 5000) {
                lastFailureLog = now;
                LOG.warnf("Lease keeper cannot reach the database: %s", e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("Lease keeper tick failed", e);
        }
    }

    private void watch() throws SQLException {
        Lease lease = row.read();
        if (me.equals(lease.holder()) && lease.handoverFrom() != null) {
            // handed to this node by a switchover: the old holder wrote this node's name and the new epoch, with a
            // fresh renewed_at, in one committed row, so this node holds the lease now. It turns ACTIVE first (the
            // writes it holds go on at once; the fence checks the epoch in each of them) and then confirms with its
            // first renewal; if the row moved on meanwhile, that renewal turns it PASSIVE again.
            sighting = null;
            roles.becomeActive(lease.epoch(), "switchover from " + lease.handoverFrom(), -1);
            if (!row.adopt(lease.epoch())) {
                roles.becomePassive(lease.epoch(), "the handed-over lease moved on before it was confirmed", Cause.FENCED);
            }
            return;
        }
        if (lease.holder() == null) {
            takeOver(lease, "the lease is free");
            return;
        }
        if (me.equals(lease.handoverTo())) {
            if (!state.isIncoming()) {
                // announced as a switchover's target: ready to receive now, writes wait for the lease (see WriteGuard)
                state.expectHandover(INCOMING_MILLIS);
                LOG.infof("Switchover announced by %s: ready to receive, holding writes for the lease", lease.holder());
            }
            if (!lease.handoverReady() && state.incomingNoticed(LB_NOTICE_MILLIS)) {
                // the active stops admitting writes once it reads this: confirm only when the load balancer already
                // sends here (a readiness check answered UP since the announcement), or after LB_NOTICE_MILLIS
                row.confirmIncoming();
            }
            lookAt(INCOMING_POLL_MILLIS); // adopt the lease within milliseconds of the handover
        } else if (state.isIncoming()) {
            state.noHandover(); // called off
        }
        if (lease.holderConnected()) {
            holderSeenConnected = lease.holder();
        } else if (lease.holder().equals(holderSeenConnected) && !lease.holder().equals(me)) {
            // A process that dies loses its database sessions with it (the kernel closes its sockets), and a live
            // holder always keeps its lease pool's one connection. The holder's lease session was there since this
            // node last failed to read, and now is gone: the holder died; waiting T would only keep bettors waiting.
            // A wrong guess (a live holder that lost its connection) is safe: the fence refuses its next write and
            // its next renewal turns it PASSIVE. A frozen or cut-off holder keeps its sessions: the T rule below.
            takeOver(lease, lease.holder() + "'s lease session is gone from the database (its process died)");
            return;
        }
        Sighting seen = sighting;
        if (seen == null || !seen.lease().sameLease(lease)) {
            sighting = new Sighting(lease);
            endSuspicion(); // the holder renewed (or the lease changed hands): it is alive
            return;
        }
        long silentFor = seen.silentFor(lease);
        if (silentFor >= ttlMillis && row.renewalWaitsForStandby(lease.holder())) {
            // the holder is alive and renewing; its commit waits for a synchronous standby that is gone or frozen
            // (Patroni drops it from sync after its ttl). Slow storage is no reason to move the lease, nor to end
            // the holder's sessions: look again from scratch once commits go through.
            sighting = null;
            endSuspicion();
            logSlowCommits(lease.holder());
        } else if (silentFor >= ttlMillis) {
            takeOver(lease, lease.holder() + " stopped renewing for " + silentFor + " ms");
        } else if (silentFor >= renewMillis) {
            if (silentFor >= suspectMillis && lease.handoverTo() == null && !me.equals(lease.holder())) {
                // Most likely frozen (a dead holder's session is gone: taken over above, without waiting). Turn ready
                // now, so the load balancer already counts on this node when it gives up on requests the silent
                // holder sits on, and hold the writes it sends until the takeover at T (WriteGuard). If the holder
                // renews after all, the held writes are refused with a retriable 503 and go back to it.
                if (!state.isSuspecting()) {
                    LOG.infof("%s has not renewed for %d ms: ready to receive, holding writes for the takeover at T",
                            lease.holder(), silentFor);
                }
                state.suspectHolder(ttlMillis - silentFor + SUSPECT_SLACK_MILLIS);
            }
            // the holder has missed a renewal: look again the moment T is up, not at the next tick
            lookAt(ttlMillis - silentFor);
        }
    }

    private void endSuspicion() {
        if (state.isSuspecting()) {
            LOG.infof("The holder renewed (or the lease moved): no takeover; writes held here are refused (503)");
        }
        state.noSuspicion();
    }

    private void takeOver(Lease lease, String reason) throws SQLException {
        long started = System.nanoTime();
        Long newEpoch = row.takeOver(lease);
        sighting = null;
        holderSeenConnected = null;
        if (newEpoch != null) {
            roles.becomeActive(newEpoch, reason, (System.nanoTime() - started) / 1_000_000);
        } else {
            endSuspicion();
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

    /** Look at the lease now rather than at the next tick (a view change, a switchover nudge). */
    void lookNow() {
        ScheduledExecutorService e = executor;
        if (e != null && !e.isShutdown()) {
            e.execute(this::tick);
        }
    }

    /**
     * Switchover: hands the lease to {@code target} with epoch + 1 on the lease thread (so no renewal runs in
     * between), then turns PASSIVE. Returns the new epoch.
     */
    long handOver(String target, long lockTimeout) throws Exception {
        return executor.submit(() -> {
            ClusterState.Snapshot mine = state.snapshot();
            if (mine.role() != NodeRole.ACTIVE) {
                throw new IllegalStateException("not active");
            }
            long newEpoch = row.handOver(mine.epoch(), target, lockTimeout);
            roles.becomePassive(mine.epoch(), "switchover to " + target + " (epoch " + newEpoch + ")",
                    Cause.HANDED_OVER);
            return newEpoch;
        }).get();
    }

    /** Called by the write guard when the database shows another epoch. */
    void fenced(long epoch, String reason) {
        roles.becomePassive(epoch, reason, Cause.FENCED);
    }
}
