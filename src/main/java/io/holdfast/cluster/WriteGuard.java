package io.holdfast.cluster;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The fencing guard of docs/ARCHITECTURE.md §2, the one path every business write transaction takes:
 * read the lease row {@code FOR KEY SHARE} (renewals are not blocked, a takeover's {@code FOR UPDATE}
 * waits for us) and abort unless its epoch is ours. Holding that lock to commit means no transaction
 * of an old epoch can commit after a takeover. Native SQL on purpose: JPA's PESSIMISTIC_READ would be
 * {@code FOR SHARE}, which blocks renewals.
 */
@ApplicationScoped
@ModuleApi
public class WriteGuard {

    private static final Logger LOG = Logger.getLogger(WriteGuard.class);
    private static final String EPOCH = "holdfast.write-epoch";
    private static final String REHEARSAL = "holdfast.write-rehearsal";
    /** Longest a write waits on a switchover's target for the lease; the handover itself takes tens of ms. */
    private static final long HANDOVER_HOLD_MILLIS = 2_000;

    private final Jdbc jdbc;
    private final ClusterState state;
    private final LeaseKeeper lease;
    private final TransactionSynchronizationRegistry transactions;

    WriteGuard(Jdbc jdbc, ClusterState state, LeaseKeeper lease, TransactionSynchronizationRegistry transactions) {
        this.jdbc = jdbc;
        this.state = state;
        this.lease = lease;
        this.transactions = transactions;
    }

    /** Returns the epoch this transaction writes under; throws a retriable 503 NOT_ACTIVE otherwise. */
    @Transactional(Transactional.TxType.MANDATORY)
    public long check() {
        Object checked = transactions.getResource(EPOCH);
        if (checked != null) {
            return (Long) checked;
        }
        if (transactions.getResource(REHEARSAL) != null) {
            // a rehearsal (see rehearseAndRollBack): the same lock and read as a real write, on any node; its
            // transaction is marked rollback-only before it can commit
            long dbEpoch = readEpoch();
            transactions.putResource(EPOCH, dbEpoch);
            return dbEpoch;
        }
        ClusterState.Snapshot mine = writable();
        return confirm(mine.epoch(), readEpoch());
    }

    /**
     * For a write whose own statement takes the lease row (BetWriter, the placement: one database round trip fewer
     * on the hot path): the epoch this node writes under, after the same checks as {@link #check} but without reading
     * the row. The statement must take the row {@code FOR KEY SHARE} before it writes anything, write nothing unless
     * the row's epoch is this one, and hand the epoch it found to {@link #confirm} before the transaction goes on: the
     * same lock, held to the commit, and the same comparison as {@link #check}, inside the write instead of before
     * it. In a rehearsal, or when the transaction was fenced already, this is {@link #check}.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public long expected() {
        if (transactions.getResource(EPOCH) != null || transactions.getResource(REHEARSAL) != null) {
            return check();
        }
        return writable().epoch();
    }

    /**
     * The lease row's epoch as the write's statement found it ({@code FOR KEY SHARE}) against the one this node writes
     * under: equal, and the transaction is fenced under it; otherwise another node took over, this one steps down
     * and the write is refused (503 NOT_ACTIVE: its transaction rolls back).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public long confirm(long expected, long found) {
        if (found != expected) {
            LOG.warnf("Fenced: the lease is at epoch %d, this node writes under %d; aborting the write", found,
                    expected);
            lease.fenced(expected, "write guard saw epoch " + found);
            throw ProblemException.notActive("This node is no longer the active node");
        }
        transactions.putResource(EPOCH, found);
        return found;
    }

    /** This node's role and epoch if it may write now (ACTIVE, not draining); a retriable 503 NOT_ACTIVE otherwise. */
    private ClusterState.Snapshot writable() {
        ClusterState.Snapshot mine = state.snapshot();
        if (mine.role() != NodeRole.ACTIVE && state.isReceiving()) {
            // the load balancer already sends here while the old active hands the lease over, or while this node is
            // about to take it over from a silent holder: wait for it (tens to a few hundred ms)
            mine = state.awaitHandover(HANDOVER_HOLD_MILLIS);
        }
        if (mine.role() != NodeRole.ACTIVE || state.isDraining()) {
            throw ProblemException.notActive(state.isDraining() ? "A switchover is in progress; retry"
                    : "This node is not the active node");
        }
        return mine;
    }

    private long readEpoch() {
        return jdbc.queryOne("SELECT epoch FROM cluster_lease WHERE id = 1 FOR KEY SHARE", rs -> rs.getLong(1))
                .orElseThrow();
    }

    /**
     * Runs {@code write} as a rehearsal, in a new transaction that can only roll back: the guard lets it through on
     * any node (it still takes the lease row {@code FOR KEY SHARE}), and the transaction is marked rollback-only once
     * the write returns or throws, before the commit, so nothing it does is ever committed (also a write that never
     * reached the guard). For warming a PASSIVE node's write path
     * (betting's PlacementRehearsal); returns the write's outcome, or what it threw.
     */
    @SuppressWarnings("unchecked")
    public <T> Rehearsed<T> rehearseAndRollBack(Supplier<T> write) {
        Object[] outcome = new Object[1];
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                transactions.putResource(REHEARSAL, Boolean.TRUE);
                try {
                    outcome[0] = write.get();
                } catch (RuntimeException e) {
                    outcome[0] = e;
                } finally {
                    transactions.setRollbackOnly();
                }
            });
        } catch (RuntimeException rolledBack) {
            // expected: the commit finds the transaction marked rollback-only (or the write failed)
        }
        return outcome[0] instanceof RuntimeException e ? new Rehearsed<>(null, e) : new Rehearsed<>((T) outcome[0], null);
    }

    /** What a rehearsed write returned, or threw; either way it was rolled back. */
    public record Rehearsed<T>(T result, RuntimeException failure) {
    }

    /** The epoch the current transaction was fenced under; a write that skipped the guard fails here. */
    @Transactional(Transactional.TxType.MANDATORY)
    public long epoch() {
        Object checked = transactions.getResource(EPOCH);
        if (checked == null) {
            throw new IllegalStateException("A business write ran without the write guard");
        }
        return (Long) checked;
    }
}
