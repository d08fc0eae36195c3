package io.holdfast.settlement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
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
 * two threads and a bounded queue (and the market's helper threads, {@code holdfast.settlement.workers} - 1 in all),
 * never the threads that take bets.
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
    private final int workers;
    // the helpers of a market's settlement (workers - 1 threads, shared by the markets the bulkhead runs): settlement
    // keeps a bounded number of threads and so of connections, whatever the number of markets
    private final ExecutorService helpers;

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
        this.workers = Math.max(1, config.settlement().workers());
        AtomicInteger threads = new AtomicInteger();
        this.helpers = Executors.newFixedThreadPool(Math.max(1, workers - 1), task -> {
            Thread thread = new Thread(task, "settlement-worker-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
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
            settleBatches(result.get());
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

    /**
     * Settles the market's batches in {@code workers} transactions side by side: this thread and helpers from the
     * settlement's own pool, each with its own part of the bettors (account id modulo workers), claiming its next batch
     * after the last one it settled. No two of them lock the same account, so one's commit does not hold up the next
     * batch of another. A bet something else holds is skipped (SKIP LOCKED); a batch that failed and rolled back is
     * left, and {@link SettleMarket#finish} then answers false (the next poll settles it). The first failure stops the
     * others after their current batch and is thrown here once all have stopped.
     */
    private void settleBatches(MarketResult result) {
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> others = new ArrayList<>();
        for (int i = 1; i < workers; i++) {
            int part = i;
            others.add(helpers.submit(() -> settleBatches(result, part, stop)));
        }
        RuntimeException failure = null;
        try {
            settleBatches(result, 0, stop);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> other : others) {
            try {
                other.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop.set(true);
                if (failure == null) {
                    failure = new IllegalStateException("Interrupted while settling market " + result.marketId(), e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void settleBatches(MarketResult result, int part, AtomicBoolean stop) {
        try {
            SettleMarket.Batch done = new SettleMarket.Batch(0, 0);
            do {
                done = settle.settleBatch(result, done.lastId(), part, workers);
            } while (done.bets() > 0 && cluster.isActive() && !stop.get());
        } catch (RuntimeException e) {
            stop.set(true);
            throw e;
        }
    }

    @PreDestroy
    void stop() {
        helpers.shutdownNow();
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
