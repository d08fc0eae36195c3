package io.holdfast.cluster;

import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.holdfast.platform.AuditLog;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Planned switchover ("flip") without a gap for bettors, as a handshake through the lease row:
 * <ol>
 * <li>announce the target in the row ({@code handover_to}); the target turns ready (the load balancer may send to it
 * from now on), holds the writes it gets until the lease arrives, and confirms ({@code handover_ready_at}) once it
 * has answered a readiness check UP (so the load balancer counts on it), or after 100 ms without one; until then this
 * node keeps serving;</li>
 * <li>stop admitting writes, hand the lease over (epoch + 1) once the in-flight writes committed, turn PASSIVE: the
 * writes refused meanwhile are resent by HAProxy to the target, which adopts the lease within milliseconds;</li>
 * <li>answer 200 only once the database shows the target holding the lease at the new epoch.</li>
 * </ol>
 * Refusals: 409 {@code UNKNOWN_TARGET} / {@code TARGET_NOT_READY} (nothing changed), 504 {@code SWITCHOVER_FAILED}
 * (the handover failed, or the target did not take the lease up in time; the pair then heals by the lease rule).
 */
@ApplicationScoped
@ModuleApi
public class Switchover {

    private static final Logger LOG = Logger.getLogger(Switchover.class);
    private static final long DRAIN_TIMEOUT_MILLIS = 2_000;
    /** The target polls the row every 100 ms while PASSIVE; a live one confirms well within this. */
    private static final long CONFIRM_TIMEOUT_MILLIS = 2_000;
    /** The target looks at the row every few ms while it expects the lease. */
    private static final long TARGET_TIMEOUT_MILLIS = 3_000;

    public record Done(long epoch, String active, long tookMillis) {
    }

    private final ClusterState state;
    private final LeaseKeeper lease;
    private final LeaseRow row;
    private final NodeRegistry registry;
    private final String me;
    private final Timer timer;
    private final AuditLog audit;

    Switchover(ClusterState state, LeaseKeeper lease, LeaseRow row, NodeRegistry registry, HoldfastConfig config,
            MeterRegistry metrics, AuditLog audit) {
        this.audit = audit;
        this.state = state;
        this.lease = lease;
        this.row = row;
        this.registry = registry;
        this.me = config.node().name();
        this.timer = Timer.builder("holdfast_switchover").description("Switchovers run by this node")
                .register(metrics);
    }

    public Done run(String actor, String target) {
        long started = System.nanoTime();
        ClusterState.Snapshot mine = state.snapshot();
        if (mine.role() != NodeRole.ACTIVE) {
            throw ProblemException.notActive("Only the active node runs a switchover");
        }
        if (target.equals(me)) {
            return new Done(mine.epoch(), me, 0);
        }
        NodeRegistry.Member peer = registry.members().stream().filter(m -> m.name().equals(target)).findFirst()
                .orElseThrow(() -> ProblemException.conflict("UNKNOWN_TARGET", "No node named '" + target + "'"));
        if (!peer.reachable() || peer.role() != NodeRole.PASSIVE) {
            throw ProblemException.conflict("TARGET_NOT_READY",
                    "Node '" + target + "' is " + (peer.reachable() ? peer.role() : "unreachable"));
        }
        announce(mine.epoch(), target);
        state.setDraining(true);
        long epoch;
        try {
            epoch = lease.handOver(target, DRAIN_TIMEOUT_MILLIS);
        } catch (Exception e) {
            LOG.warnf("Switchover to %s failed before the handover: %s", target, e.getMessage());
            cancel(mine.epoch());
            throw failed("The lease could not be handed over (" + e.getMessage() + "); " + me + " stays active");
        } finally {
            state.setDraining(false);
        }
        if (!await(() -> row.holds(target, epoch), TARGET_TIMEOUT_MILLIS)) {
            LOG.warnf("Switchover to %s: the lease was handed over at epoch %d but %s did not take it up in %d ms",
                    target, epoch, target, TARGET_TIMEOUT_MILLIS);
            throw failed("Node '" + target + "' did not take the lease up within " + TARGET_TIMEOUT_MILLIS
                    + " ms; the pair recovers by the lease rule (the lease is free after T)");
        }
        long took = (System.nanoTime() - started) / 1_000_000;
        timer.record(java.time.Duration.ofMillis(took));
        LOG.infof("Switchover to %s by %s done in %d ms (epoch %d)", target, actor, took, epoch);
        QuarkusTransaction.requiringNew().run(() -> audit.record(actor, "SWITCHOVER",
                me + " -> " + target + " at epoch " + epoch + " in " + took + " ms"));
        return new Done(epoch, target, took);
    }

    /** Announces the target and waits for it to confirm it is ready to receive; 409 if it does not. */
    private void announce(long epoch, String target) {
        try {
            if (!row.announceHandover(epoch, target)) {
                throw ProblemException.notActive("This node no longer holds the lease");
            }
            if (await(() -> row.read().handoverReady(), CONFIRM_TIMEOUT_MILLIS)) {
                return;
            }
        } catch (SQLException e) {
            cancel(epoch);
            throw failed("The database did not answer: " + e.getMessage());
        }
        cancel(epoch);
        throw ProblemException.conflict("TARGET_NOT_READY",
                "Node '" + target + "' did not confirm it is ready within " + CONFIRM_TIMEOUT_MILLIS + " ms; nothing changed");
    }

    private void cancel(long epoch) {
        try {
            row.cancelHandover(epoch);
        } catch (SQLException e) {
            LOG.warnf("Could not call the switchover off in the lease row: %s", e.getMessage());
        }
    }

    private static ProblemException failed(String detail) {
        return new ProblemException(504, "SWITCHOVER_FAILED", detail);
    }

    private interface Check {
        boolean ok() throws SQLException;
    }

    /** Polls {@code check} every 5 ms until true or {@code timeoutMillis}; a failing read counts as not yet. */
    private static boolean await(Check check, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        do {
            try {
                if (check.ok()) {
                    return true;
                }
            } catch (SQLException e) {
                LOG.debugf("Switchover poll failed: %s", e.getMessage());
            }
            sleep(5);
        } while (System.nanoTime() - deadline < 0);
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
