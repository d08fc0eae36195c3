package io.holdfast.cluster;

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
 * Planned switchover ("flip"): stop admitting writes, hand the lease to the target (epoch + 1) once the
 * in-flight writes committed, turn PASSIVE, and answer once the target reports itself ACTIVE.
 */
@ApplicationScoped
@ModuleApi
public class Switchover {

    private static final Logger LOG = Logger.getLogger(Switchover.class);
    private static final long DRAIN_TIMEOUT_MILLIS = 2_000;
    private static final long TARGET_TIMEOUT_MILLIS = 5_000;

    public record Done(long epoch, String active, long tookMillis) {
    }

    private final ClusterState state;
    private final LeaseKeeper lease;
    private final NodeRegistry registry;
    private final String me;
    private final Timer timer;
    private final AuditLog audit;

    Switchover(ClusterState state, LeaseKeeper lease, NodeRegistry registry, HoldfastConfig config,
            MeterRegistry metrics, AuditLog audit) {
        this.audit = audit;
        this.state = state;
        this.lease = lease;
        this.registry = registry;
        this.me = config.node().name();
        this.timer = Timer.builder("holdfast_switchover").description("Switchovers run by this node")
                .register(metrics);
    }

    public Done run(String actor, String target) {
        long started = System.nanoTime();
        if (!state.isActive()) {
            throw ProblemException.notActive("Only the active node runs a switchover");
        }
        if (target.equals(me)) {
            return new Done(state.epoch(), me, 0);
        }
        NodeRegistry.Member peer = registry.members().stream().filter(m -> m.name().equals(target)).findFirst()
                .orElseThrow(() -> ProblemException.conflict("UNKNOWN_TARGET", "No node named '" + target + "'"));
        if (!peer.reachable() || peer.role() != NodeRole.PASSIVE) {
            throw ProblemException.conflict("TARGET_NOT_READY",
                    "Node '" + target + "' is " + (peer.reachable() ? peer.role() : "unreachable"));
        }
        state.setDraining(true);
        long epoch;
        try {
            epoch = lease.handOver(target, DRAIN_TIMEOUT_MILLIS);
        } catch (Exception e) {
            state.setDraining(false);
            LOG.warnf("Switchover to %s failed before the handover: %s", target, e.getMessage());
            throw ProblemException.conflict("SWITCHOVER_FAILED", "The lease could not be handed over; nothing changed");
        }
        state.setDraining(false);
        long deadline = System.nanoTime() + TARGET_TIMEOUT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (registry.members().stream().anyMatch(m -> m.name().equals(target) && m.role() == NodeRole.ACTIVE
                    && m.epoch() == epoch)) {
                break;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long took = (System.nanoTime() - started) / 1_000_000;
        timer.record(java.time.Duration.ofMillis(took));
        LOG.infof("Switchover to %s by %s done in %d ms (epoch %d)", target, actor, took, epoch);
        long finalEpoch = epoch;
        QuarkusTransaction.requiringNew().run(() -> audit.record(actor, "SWITCHOVER",
                me + " -> " + target + " at epoch " + finalEpoch + " in " + took + " ms"));
        return new Done(epoch, target, took);
    }
}
