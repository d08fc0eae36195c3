package io.holdfast.cluster;

import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import io.holdfast.platform.ModuleApi;

/**
 * This node's view of its role and epoch: the facade other modules ask "may I write, and as whom?".
 * The database still decides: {@link WriteGuard} checks the epoch inside every write transaction.
 */
@ApplicationScoped
@ModuleApi
public class ClusterState {

    /** Role and epoch change together, so readers never see an ACTIVE role with another epoch's token. */
    public record Snapshot(NodeRole role, long epoch) {
    }

    private final AtomicReference<Snapshot> current = new AtomicReference<>(new Snapshot(NodeRole.PASSIVE, -1));
    private volatile boolean draining;

    public Snapshot snapshot() {
        return current.get();
    }

    public boolean isActive() {
        return current.get().role() == NodeRole.ACTIVE;
    }

    /** True while a switchover hands the lease away: new writes are refused, in-flight ones finish. */
    public boolean isDraining() {
        return draining;
    }

    void setDraining(boolean draining) {
        this.draining = draining;
    }

    public long epoch() {
        return current.get().epoch();
    }

    /** Returns the previous snapshot. */
    Snapshot set(NodeRole role, long epoch) {
        return current.getAndSet(new Snapshot(role, epoch));
    }

    /** Turns PASSIVE only if still at {@code epoch}; a newer takeover by this node is left alone. */
    boolean demote(long epoch) {
        Snapshot now = current.get();
        return now.epoch() == epoch && now.role() == NodeRole.ACTIVE
                && current.compareAndSet(now, new Snapshot(NodeRole.PASSIVE, epoch));
    }
}
