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
    /** System.nanoTime of this node's last turn to ACTIVE. */
    private volatile long activeSinceNanos;
    /** System.nanoTime of the last time the database confirmed this node's lease (a takeover or a renewal). */
    private volatile long leaseConfirmedNanos = System.nanoTime() - Long.MAX_VALUE / 2;

    public Snapshot snapshot() {
        return current.get();
    }

    public boolean isActive() {
        return current.get().role() == NodeRole.ACTIVE;
    }

    /**
     * ACTIVE for at least {@code settleMillis}: background work (rebuilds, publishing, settlement) waits that long
     * after a takeover or a handover, so the first placements on a new ACTIVE have the CPU and the database.
     */
    public boolean isActiveFor(long settleMillis) {
        return isActive() && System.nanoTime() - activeSinceNanos >= settleMillis * 1_000_000;
    }

    /** True while a switchover hands the lease away: new writes are refused, in-flight ones finish. */
    public boolean isDraining() {
        return draining;
    }

    void setDraining(boolean draining) {
        this.draining = draining;
    }

    /** Until when (System.nanoTime) this PASSIVE node expects the lease from a switchover; 0: it does not. */
    private volatile long incomingUntilNanos;

    /** When (System.nanoTime) this node was announced as a switchover's target. */
    private volatile long incomingSinceNanos;
    /** Whether this node has answered a readiness check UP since it was announced (the load balancer counts on it). */
    private volatile boolean incomingSeenReady;

    /** A switchover announced this node as its target: hold writes for the lease rather than refuse them. */
    void expectHandover(long forMillis) {
        incomingSeenReady = false;
        incomingSinceNanos = System.nanoTime();
        incomingUntilNanos = incomingSinceNanos + forMillis * 1_000_000;
    }

    /** This node answered its readiness check UP: if it is a switchover's target, the load balancer now sends here. */
    void answeredReady() {
        if (isIncoming()) {
            incomingSeenReady = true;
        }
    }

    /**
     * Whether this switchover target may tell the active to stop admitting writes: it has answered a readiness check
     * UP since it was announced (so the load balancer already sends here), or {@code fallbackMillis} have passed
     * without one (no load balancer checks this node, or its checks are slow).
     */
    boolean incomingNoticed(long fallbackMillis) {
        return isIncoming() && (incomingSeenReady || System.nanoTime() - incomingSinceNanos >= fallbackMillis * 1_000_000);
    }

    void noHandover() {
        incomingUntilNanos = 0;
    }

    /** True while this PASSIVE node is the announced target of a switchover (ready to receive, writes wait). */
    public boolean isIncoming() {
        long until = incomingUntilNanos;
        return until != 0 && System.nanoTime() - until < 0 && !isActive();
    }

    /**
     * Until when (System.nanoTime) this PASSIVE node expects to take the lease over from a holder that has stopped
     * renewing; 0: it does not (see {@link LeaseKeeper}: a frozen holder).
     */
    private volatile long suspectUntilNanos;

    /** The holder has not renewed for most of T: be ready to receive, and hold writes until the takeover. */
    void suspectHolder(long forMillis) {
        suspectUntilNanos = System.nanoTime() + forMillis * 1_000_000;
    }

    void noSuspicion() {
        suspectUntilNanos = 0;
    }

    /** True while this PASSIVE node expects to take over from a silent holder within T (ready, writes wait). */
    public boolean isSuspecting() {
        long until = suspectUntilNanos;
        return until != 0 && System.nanoTime() - until < 0 && !isActive();
    }

    /** Ready to receive writes without being ACTIVE yet: a switchover's target, or about to take over. */
    public boolean isReceiving() {
        return isIncoming() || isSuspecting();
    }

    /**
     * Waits (at most {@code maxMillis}) while this node is about to become ACTIVE (a switchover's target, or a node
     * about to take over from a silent holder); returns the snapshot then. A write that reached it before the lease
     * is held, not refused.
     */
    Snapshot awaitHandover(long maxMillis) {
        long deadline = System.nanoTime() + maxMillis * 1_000_000;
        while (isReceiving() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return snapshot();
    }

    void leaseConfirmed() {
        leaseConfirmedNanos = System.nanoTime();
    }

    /** Milliseconds since the database last confirmed this node's lease (large when it never did). */
    public long leaseAgeMillis() {
        return (System.nanoTime() - leaseConfirmedNanos) / 1_000_000;
    }

    public long epoch() {
        return current.get().epoch();
    }

    /** Returns the previous snapshot. */
    Snapshot set(NodeRole role, long epoch) {
        if (role == NodeRole.ACTIVE && !isActive()) {
            activeSinceNanos = System.nanoTime();
        }
        return current.getAndSet(new Snapshot(role, epoch));
    }

    /** Turns PASSIVE only if still at {@code epoch}; a newer takeover by this node is left alone. */
    boolean demote(long epoch) {
        Snapshot now = current.get();
        return now.epoch() == epoch && now.role() == NodeRole.ACTIVE
                && current.compareAndSet(now, new Snapshot(NodeRole.PASSIVE, epoch));
    }
}
