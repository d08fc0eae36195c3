package io.holdfast.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;

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
        long dbEpoch = jdbc.queryOne("SELECT epoch FROM cluster_lease WHERE id = 1 FOR KEY SHARE",
                rs -> rs.getLong(1)).orElseThrow();
        if (dbEpoch != mine.epoch()) {
            LOG.warnf("Fenced: the lease is at epoch %d, this node writes under %d; aborting the write",
                    dbEpoch, mine.epoch());
            lease.fenced(mine.epoch(), "write guard saw epoch " + dbEpoch);
            throw ProblemException.notActive("This node is no longer the active node");
        }
        transactions.putResource(EPOCH, dbEpoch);
        return dbEpoch;
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
