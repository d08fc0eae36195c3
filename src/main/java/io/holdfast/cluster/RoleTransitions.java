package io.holdfast.cluster;

import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import io.holdfast.platform.HoldfastConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The one place where this node becomes ACTIVE or PASSIVE, whatever the cause (takeover, handover, fencing,
 * switchover, shutdown): the role and epoch in {@link ClusterState}, the {@code ROLE … -> …} log line, the audit
 * row ({@code ROLE_ACTIVE}/{@code ROLE_PASSIVE}), the metrics, and the {@link RoleChanged} event, in that order.
 * The state changes first: readiness and the write guard follow the role at once; the rest is reporting. The event
 * goes out on its own thread, in order: its observers rebuild caches from the database (the odds book took 600 ms on
 * a busy machine), and a new ACTIVE that spent T on them instead of renewing was taken over again at once.
 */
@ApplicationScoped
class RoleTransitions {

    private static final Logger LOG = Logger.getLogger(RoleTransitions.class);

    /** Why a node turns PASSIVE: fenced (the database shows another epoch) is counted apart. */
    enum Cause {
        FENCED, HANDED_OVER, STOPPED
    }

    private final ClusterState state;
    private final LeaseRow row;
    private final Event<RoleChanged> roleChanged;
    private final Event<ActiveSettled> settled;
    private final long settleMillis;
    private final String me;
    private final Counter takeovers;
    private final Counter fencings;
    private final AtomicLong lastTakeoverMillis = new AtomicLong();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "role-events");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService settling = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "role-settle");
        t.setDaemon(true);
        return t;
    });

    RoleTransitions(ClusterState state, LeaseRow row, Event<RoleChanged> roleChanged, Event<ActiveSettled> settled,
            HoldfastConfig config, MeterRegistry metrics) {
        this.state = state;
        this.row = row;
        this.roleChanged = roleChanged;
        this.settled = settled;
        this.settleMillis = config.lease().settle().toMillis();
        this.me = config.node().name();
        Gauge.builder("holdfast_role", state, s -> s.isActive() ? 1 : 0)
                .description("1 while this node is ACTIVE, 0 while PASSIVE").register(metrics);
        Gauge.builder("holdfast_epoch", state, ClusterState::epoch).register(metrics);
        Gauge.builder("holdfast_last_takeover_millis", lastTakeoverMillis, AtomicLong::get)
                .description("How long the last takeover transaction took").register(metrics);
        this.takeovers = Counter.builder("holdfast_takeovers_total").register(metrics);
        this.fencings = Counter.builder("holdfast_fenced_total")
                .description("Times this node found its epoch superseded and turned PASSIVE").register(metrics);
    }

    /** This node holds the lease at {@code epoch} now; {@code tookMillis} is the takeover's own time, or -1. */
    void becomeActive(long epoch, String reason, long tookMillis) {
        state.leaseConfirmed(); // the takeover or handover just wrote the row with this node's name
        ClusterState.Snapshot before = state.set(NodeRole.ACTIVE, epoch);
        state.noHandover();
        state.noSuspicion();
        LOG.infof("ROLE %s -> ACTIVE at epoch %d (%s%s)", before.role(), epoch, reason,
                tookMillis >= 0 ? "; takeover took " + tookMillis + " ms" : "");
        takeovers.increment();
        if (tookMillis >= 0) {
            lastTakeoverMillis.set(tookMillis);
        }
        audit("ROLE_ACTIVE", "epoch " + epoch + ": " + reason);
        announce(new RoleChanged(me, before.role(), NodeRole.ACTIVE, epoch, reason));
        // after the settle period, on role-events (so after this change's observers, and before any later change's):
        // only if this node is still ACTIVE at this epoch then
        settling.schedule(() -> events.execute(() -> {
            ClusterState.Snapshot now = state.snapshot();
            if (now.role() == NodeRole.ACTIVE && now.epoch() == epoch) {
                try {
                    settled.fire(new ActiveSettled(me, epoch));
                } catch (RuntimeException e) {
                    LOG.errorf(e, "An observer of ActiveSettled at epoch %d failed", epoch);
                }
            }
        }), settleMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Turns PASSIVE if this node is still ACTIVE at {@code epoch} (a newer takeover by this node is left alone).
     * Returns whether it did.
     */
    boolean becomePassive(long epoch, String reason, Cause cause) {
        if (!state.demote(epoch)) {
            return false;
        }
        if (cause == Cause.FENCED) {
            fencings.increment();
            LOG.warnf("ROLE ACTIVE -> PASSIVE at epoch %d: %s", epoch, reason);
        } else {
            LOG.infof("ROLE ACTIVE -> PASSIVE at epoch %d: %s", epoch, reason);
        }
        if (cause != Cause.STOPPED) {
            // on shutdown the observers' caches and executors are closing, and the lease row says it all
            audit("ROLE_PASSIVE", "epoch " + epoch + ": " + reason);
            announce(new RoleChanged(me, NodeRole.ACTIVE, NodeRole.PASSIVE, epoch, reason));
        }
        return true;
    }

    private void announce(RoleChanged change) {
        events.execute(() -> {
            try {
                roleChanged.fire(change);
            } catch (RuntimeException e) {
                LOG.errorf(e, "An observer of %s failed", change);
            }
        });
    }

    private void audit(String action, String details) {
        try {
            row.audit(action, details);
        } catch (SQLException e) {
            LOG.warnf("Could not audit the role change: %s", e.getMessage());
        }
    }
}
