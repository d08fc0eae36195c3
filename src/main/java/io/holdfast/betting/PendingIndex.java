package io.holdfast.betting;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.infinispan.manager.EmbeddedCacheManager;
import org.jboss.logging.Logger;

import io.holdfast.cluster.ActiveSettled;
import io.holdfast.platform.Caches;
import io.holdfast.platform.Jdbc;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * The pending-delay index (docs/ARCHITECTURE.md §2): live bets waiting out their delay, bet id → due time, in a
 * replicated cache, so both nodes know what is due and when. Derived state: the PENDING rows are the
 * truth. The node that turns ACTIVE rebuilds the index from them, and {@link PendingBetCompleter} still
 * sweeps the database every few seconds for anything the index missed. With the index the completer
 * decides a bet when it falls due instead of at its next sweep.
 */
@Startup // its gauge shows on the passive too
@ApplicationScoped
class PendingIndex {

    private static final Logger LOG = Logger.getLogger(PendingIndex.class);

    private final EmbeddedCacheManager caches;
    private final Jdbc jdbc;
    private final MeterRegistry metrics;
    private Cache<Long, Long> due;
    /** Reads of this node's own copy: the cache is replicated, so it is whole; a plain iteration or size() would
     * be a cluster-wide stream that waits for a peer that just died. */
    private Cache<Long, Long> mine;

    PendingIndex(EmbeddedCacheManager caches, Jdbc jdbc, MeterRegistry metrics) {
        this.caches = caches;
        this.jdbc = jdbc;
        this.metrics = metrics;
    }

    @PostConstruct
    void connect() {
        due = caches.getCache(Caches.PENDING_BETS);
        mine = due.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL);
        Gauge.builder("holdfast_pending_index_size", mine, Cache::size)
                .description("Live bets in this node's copy of the replicated pending-delay index").register(metrics);
    }

    /** A PENDING bet was committed. */
    public void add(long betId, Instant dueAt) {
        due.putAsync(betId, dueAt.toEpochMilli());
    }

    /** These bets were decided (committed). */
    public void remove(Collection<Long> betIds) {
        betIds.forEach(due::removeAsync);
    }

    /**
     * Forgets every bet due by {@code cutoff}: called after the completer has decided all bets the database
     * had due, so an entry left here (decided elsewhere, or a clock ahead of the database's) cannot keep
     * the completer busy; the sweep still finds any such bet that is in fact PENDING.
     */
    public void forgetDueBy(Instant cutoff) {
        long millis = cutoff.toEpochMilli();
        mine.entrySet().stream().filter(e -> e.getValue() <= millis).map(Map.Entry::getKey).toList()
                .forEach(due::removeAsync);
    }

    /** Whether a bet in the index is due at {@code now}. */
    public boolean anyDue(Instant now) {
        long millis = now.toEpochMilli();
        for (Long at : mine.values()) {
            if (at <= millis) {
                return true;
            }
        }
        return false;
    }

    public int size() {
        return mine.size();
    }

    /** A new ACTIVE's completer starts after the settle period too (PassiveNode); the index is rebuilt for it then. */
    void onSettled(@Observes ActiveSettled settled) {
        rebuild();
    }

    /** Replaces the index with the PENDING rows of the database. */
    public void rebuild() {
        try {
            Map<Long, Long> rows = new HashMap<>();
            jdbc.query("SELECT id, due_at FROM bet WHERE status = 'PENDING'",
                    rs -> rows.put(rs.getLong(1), rs.getTimestamp(2).getTime()));
            for (Long id : new java.util.ArrayList<>(mine.keySet())) {
                if (!rows.containsKey(id)) {
                    due.removeAsync(id);
                }
            }
            due.putAllAsync(rows);
            LOG.infof("Pending-delay index rebuilt from the database: %d live bets", rows.size());
        } catch (RuntimeException e) {
            // the sweep completes bets from the database regardless; the index is rebuilt at the next role change
            LOG.warnf("Could not rebuild the pending-delay index: %s", e.getMessage());
        }
    }
}
