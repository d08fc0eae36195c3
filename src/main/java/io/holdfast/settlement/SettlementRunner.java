package io.holdfast.settlement;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Asynchronous;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.holdfast.cluster.ClusterState;
import io.holdfast.odds.OddsBook;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.TransientFailure;

/**
 * Runs settlements off the request thread, in their own bulkhead: a slow or failing settlement can use
 * two threads and a bounded queue, never the threads that take bets.
 */
@ApplicationScoped
class SettlementRunner {

    private static final Logger LOG = Logger.getLogger(SettlementRunner.class);

    private final SettleMarket settle;
    private final Results results;
    private final OddsBook book;
    private final ClusterState cluster;
    private final long retryAfterMillis;
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Counter deadlocks;

    SettlementRunner(SettleMarket settle, Results results, OddsBook book, ClusterState cluster, HoldfastConfig config,
            MeterRegistry metrics) {
        this.deadlocks = Counter.builder("holdfast_deadlocks_total").tag("job", "settlement")
                .description("Transactions of this job that PostgreSQL ended as a deadlock (40P01) and were retried")
                .register(metrics);
        this.settle = settle;
        this.results = results;
        this.book = book;
        this.cluster = cluster;
        this.retryAfterMillis = config.settlement().retryAfter().toMillis();
    }

    /** True if this market is not already being settled here (the caller then submits it). */
    boolean claim(long marketId) {
        return inFlight.add(marketId);
    }

    void release(long marketId) {
        inFlight.remove(marketId);
    }

    // Two settlement threads and a queue of 100 markets: settlement is batch work that may wait; what it
    // must not do is take threads or connections from bet placement.
    @Asynchronous
    @Bulkhead(value = 2, waitingTaskQueue = 100)
    CompletionStage<Void> settle(long marketId) {
        try {
            var result = results.latest(marketId);
            if (result.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            SettleMarket.Batch done = new SettleMarket.Batch(0, 0);
            do {
                done = settle.settleBatch(result.get(), done.lastId());
            } while (done.bets() > 0 && cluster.isActive());
            if (settle.finish(result.get())) {
                LOG.infof("Market %d settled at revision %d", marketId, result.get().revision());
                book.refreshMarket(marketId);
            }
        } catch (CircuitBreakerOpenException e) {
            LOG.warnf("Settlement calculation circuit is open; market %d waits", marketId);
        } catch (RuntimeException e) {
            if (deadlock(e)) {
                deadlocks.increment();
            }
            if (isTransient(e) || !cluster.isActive()) {
                LOG.warnf("Settlement of market %d interrupted, will retry: %s", marketId, e.getMessage());
            } else {
                LOG.errorf(e, "Settlement of market %d failed; flagged SETTLEMENT_FAILED", marketId);
                settle.fail(marketId, reason(e), retryAfterMillis);
                book.refreshMarket(marketId);
            }
        } finally {
            inFlight.remove(marketId);
        }
        return CompletableFuture.completedFuture(null);
    }

    private static boolean deadlock(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "40P01".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (TransientFailure.isTransient(t) || t instanceof io.holdfast.platform.ProblemException) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Throwable e) {
        String message = e.getMessage() == null ? "" : ": " + e.getMessage();
        String text = e.getClass().getSimpleName() + message;
        return text.length() > 500 ? text.substring(0, 500) : text;
    }
}
