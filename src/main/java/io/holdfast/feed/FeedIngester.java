package io.holdfast.feed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.holdfast.cluster.ClusterState;
import io.holdfast.cluster.NodeRole;
import io.holdfast.cluster.RoleChanged;
import io.holdfast.feed.FeedTransactions.Status;
import io.holdfast.feed.FeedTransactions.Transition;
import io.holdfast.odds.FeedMarkets.Applied;
import io.holdfast.odds.OddsBook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Applies the feed's messages on the ACTIVE node, one at a time, each in its own fenced transaction, and keeps each
 * producer's state: a producer with no message for {@code max-inactivity} (or whose messages we apply that late) is
 * DOWN and its markets suspended; it is asked to recover from the last alive processed while it was UP, and is UP
 * again at the snapshot_complete of that request. The PASSIVE node applies nothing: the database and the replicated
 * odds book hold what a new ACTIVE resumes from.
 */
@ApplicationScoped
class FeedIngester {

    private static final Logger LOG = Logger.getLogger(FeedIngester.class);

    /** What this node knows of a producer between transactions (the database has the truth). */
    static final class Watch {
        final String name;
        volatile long lastReceivedNanos = System.nanoTime();
        volatile long lastTimestamp;
        volatile long lagMillis;
        volatile Status status = Status.DOWN;
        volatile long recoveryRequestedNanos;
        /** The producer timestamp of the live message being applied now (0: none): the watcher's measure of lag. */
        volatile long applyingTs;

        Watch(String name) {
            this.name = name;
        }
    }

    private static final long WATCH_MILLIS = 50;

    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private ScheduledExecutorService watcher;
    private final AtomicLong requestIds = new AtomicLong(System.currentTimeMillis() * 1000);
    private final FeedTransactions tx;
    private final OddsBook book;
    private final ClusterState cluster;
    private final RecoveryRequests recoveries;
    private final MeterRegistry metrics;
    private final long maxInactivityMillis;
    private final long recoveryTimeoutMillis;

    FeedIngester(FeedTransactions tx, OddsBook book, ClusterState cluster, RecoveryRequests recoveries,
            MeterRegistry metrics, FeedConfig config) {
        this.tx = tx;
        this.book = book;
        this.cluster = cluster;
        this.recoveries = recoveries;
        this.metrics = metrics;
        this.maxInactivityMillis = config.maxInactivity().toMillis();
        this.recoveryTimeoutMillis = config.recoveryTimeout().toMillis();
    }

    /** One message from the stream (or a test): applied, dropped as a duplicate, or a producer transition. */
    synchronized void handle(FeedMessage message) {
        if (!cluster.isActive()) {
            return;
        }
        Watch w = watch(message.producer());
        w.lastReceivedNanos = System.nanoTime();
        w.lastTimestamp = Math.max(w.lastTimestamp, message.timestamp());
        if (message.requestId() == null) {
            w.lagMillis = Math.max(0, System.currentTimeMillis() - message.timestamp());
        }
        String type = type(message);
        if (message.requestId() == null && w.lagMillis > maxInactivityMillis && w.status == Status.UP) {
            goDown(w, "applying lags the producer by " + w.lagMillis + " ms"); // before applying it, not after
        }
        w.applyingTs = message.requestId() == null ? message.timestamp() : 0;
        try {
            if (message instanceof FeedMessage.Alive alive) {
                Transition t = tx.alive(alive.producer(), alive.timestamp(),
                        alive.subscribed() == null || alive.subscribed() != 0);
                settle(w, t);
                if (t.changed()) {
                    downs(w.name);
                }
                if (t.producer().status() != Status.UP) {
                    recover(w, alive.subscribed() != null && alive.subscribed() == 0 ? "alive with subscribed=0"
                            : "alive while " + t.producer().status());
                }
                count(w.name, type, "applied");
            } else if (message instanceof FeedMessage.SnapshotComplete done) {
                Transition t = done.requestId() == null ? null : tx.up(done.producer(), done.requestId());
                if (t != null && t.changed()) {
                    settle(w, t);
                    Long took = t.producer().lastRecoveryMillis();
                    if (took != null) {
                        Timer.builder("holdfast_feed_recovery").tag("producer", w.name)
                                .description("From the recovery request to its snapshot_complete").register(metrics)
                                .record(Duration.ofMillis(took));
                    }
                    LOG.infof("Producer %s is UP: recovery %d done in %d ms", w.name, done.requestId(), took);
                    count(w.name, type, "applied");
                } else {
                    count(w.name, type, "stale");
                }
            } else {
                Applied applied = tx.apply(message);
                refresh(applied.changed());
                count(w.name, type, applied.applied() > 0 ? "applied" : "stale");
            }
        } catch (RuntimeException e) {
            count(w.name, type, "failed");
            LOG.warnf("Feed message %s of %s at %d not applied: %s", type, message.producer(), message.timestamp(),
                    e.getMessage());
            if (!(message instanceof FeedMessage.Alive) && !(message instanceof FeedMessage.SnapshotComplete)
                    && w.status == Status.UP) {
                // a stateful message we could not apply: its markets may now be behind the feed. Down, so they take no
                // bet, and the recovery from the last alive sends it again.
                goDown(w, type + " at " + message.timestamp() + " not applied");
            }
        } finally {
            w.applyingTs = 0;
        }
        long lagNow = message.requestId() == null ? System.currentTimeMillis() - message.timestamp() : 0;
        if (lagNow > maxInactivityMillis && w.status == Status.UP) {
            goDown(w, "applying lags the producer by " + lagNow + " ms");
        }
    }

    /** The stream is (re)connected: messages may have been missed meanwhile, so every known producer recovers. */
    synchronized void connected() {
        if (!cluster.isActive()) {
            return;
        }
        for (Watch w : watches.values()) {
            w.lastReceivedNanos = System.nanoTime();
            w.recoveryRequestedNanos = 0;
            recover(w, "stream connected");
        }
    }

    /**
     * Every 50 ms on the ACTIVE: a producer silent for max-inactivity is down. A thread of its own, not Quarkus'
     * scheduler: that one runs nothing more often than once a second, which would let a silent producer's markets
     * take bets for up to a second longer.
     */
    void watchProducers() {
        if (!cluster.isActive()) {
            return;
        }
        long now = System.nanoTime();
        long wall = System.currentTimeMillis();
        for (Watch w : watches.values()) {
            long silentMillis = (now - w.lastReceivedNanos) / 1_000_000;
            long applying = w.applyingTs;
            if (w.status != Status.DOWN && silentMillis > maxInactivityMillis) {
                goDown(w, "no message for " + silentMillis + " ms");
            } else if (w.status == Status.UP && applying != 0 && wall - applying > maxInactivityMillis) {
                // the ingester is stuck in one message: the prices behind it are as unwatched as a silent producer's
                goDown(w, "applying lags the producer by " + (wall - applying) + " ms (stuck in one message)");
            }
        }
    }

    /**
     * Called by the feed client on every role change, before it opens or closes the stream: a new ACTIVE starts each
     * producer's inactivity clock now, from the state the old ACTIVE left in the database.
     */
    void roleChanged(RoleChanged change) {
        startWatching();
        watches.clear();
        if (change.to() != NodeRole.ACTIVE) {
            return;
        }
        try {
            for (FeedTransactions.ProducerRow row : tx.producers()) {
                watch(row.name()).status = row.status();
            }
        } catch (RuntimeException e) {
            LOG.warnf("Feed producers not loaded at takeover: %s", e.getMessage());
        }
    }

    /**
     * The feed client of a new ACTIVE, before it connects: a producer the old ACTIVE left UP is taken down at once
     * (nobody watched its prices since the old node stopped), and recovers from its persisted last alive as soon as
     * the stream is connected. On the client's thread, not the role-change one: refreshing the odds book may wait for
     * a peer that just died.
     */
    void takeOver(String reason) {
        for (Watch w : watches.values()) {
            if (w.status != Status.DOWN && cluster.isActive()) {
                goDown(w, reason);
            }
        }
    }

    private synchronized void startWatching() {
        if (watcher == null) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "feed-producer-watch");
                t.setDaemon(true);
                return t;
            });
            watcher.scheduleWithFixedDelay(() -> {
                try {
                    watchProducers();
                } catch (RuntimeException e) {
                    LOG.warnf("Watching the feed's producers failed: %s", e.getMessage());
                }
            }, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    synchronized void stopWatching() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }

    /** What the ops view shows beyond the database row: this node's lag and silence per producer. */
    Map<String, Watch> watches() {
        return Map.copyOf(watches);
    }

    private Watch watch(String producer) {
        return watches.computeIfAbsent(producer, Watch::new);
    }

    private void goDown(Watch w, String reason) {
        synchronized (w) {
            try {
                Transition t = tx.down(w.name, reason);
                settle(w, t);
                if (t.changed()) {
                    downs(w.name);
                    LOG.warnf("Producer %s is DOWN (%s): %d markets suspended", w.name, reason, t.markets().size());
                }
            } catch (RuntimeException e) {
                LOG.warnf("Producer %s could not be taken down (%s): %s", w.name, reason, e.getMessage());
            }
        }
    }

    private void recover(Watch w, String reason) {
        long now = System.nanoTime();
        if (w.status == Status.RECOVERING && w.recoveryRequestedNanos != 0
                && (now - w.recoveryRequestedNanos) / 1_000_000 < recoveryTimeoutMillis) {
            return; // one request in flight at a time (UOF rate-limits them)
        }
        long requestId = requestIds.incrementAndGet();
        try {
            Transition t = tx.recovering(w.name, requestId, reason);
            settle(w, t);
            w.recoveryRequestedNanos = now;
            LOG.infof("Producer %s recovering (%s): request %d after %s", w.name, reason, requestId,
                    t.producer().recoveryAfter());
            recoveries.request(w.name, t.producer().recoveryAfter(), requestId);
        } catch (RuntimeException e) {
            LOG.warnf("Recovery of producer %s not started: %s", w.name, e.getMessage());
        }
    }

    private void settle(Watch w, Transition t) {
        w.status = t.producer().status();
        refresh(t.markets());
    }

    private void refresh(Set<Long> markets) {
        List<Long> ids = new ArrayList<>(markets);
        for (long id : ids) {
            try {
                book.refreshMarket(id);
            } catch (RuntimeException e) {
                LOG.warnf("Odds book not refreshed for market %d: %s", id, e.getMessage());
            }
        }
    }

    private void downs(String producer) {
        Counter.builder("holdfast_feed_producer_downs_total").tag("producer", producer)
                .description("Times a producer was declared down (silent, lagging, or unsubscribed)")
                .register(metrics).increment();
    }

    private void count(String producer, String type, String outcome) {
        Counter.builder("holdfast_feed_messages_total").tag("producer", producer).tag("type", type)
                .tag("outcome", outcome)
                .description("Feed messages by outcome: applied, stale (a duplicate or older message: nothing changed), "
                        + "failed").register(metrics).increment();
    }

    private static String type(FeedMessage m) {
        String simple = m.getClass().getSimpleName();
        StringBuilder out = new StringBuilder();
        for (char c : simple.toCharArray()) {
            if (Character.isUpperCase(c) && out.length() > 0) {
                out.append('_');
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }
}
