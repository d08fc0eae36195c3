package io.holdfast.odds;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;
import org.jboss.logging.Logger;

import io.holdfast.cluster.ClusterState;
import io.holdfast.cluster.ActiveSettled;
import io.holdfast.platform.Caches;
import io.holdfast.platform.ModuleApi;
import io.quarkus.runtime.StartupEvent;

/**
 * The odds book: current prices and market status by selection, the cache bet validation reads instead
 * of the database. Derived state only. The ACTIVE node re-reads a market from the database right after
 * each committed change and writes it to its own map first (what it validates against: never held up by
 * the other node) and then to the replicated {@code odds-book} cache, synchronously, so the change is on
 * both nodes before the request that made it returns. The PASSIVE node's map follows the cache, warm for
 * a takeover; a node that turns ACTIVE, and the ACTIVE after a partition heals, rebuilds from the database.
 */
@ApplicationScoped
@Listener(sync = false)
@ModuleApi
public class OddsBook {

    private static final Logger LOG = Logger.getLogger(OddsBook.class);

    private final Map<Long, Quote> local = new ConcurrentHashMap<>();
    private final OddsStore store;
    private final OddsStream stream;
    private final EmbeddedCacheManager caches;
    private final ClusterState cluster;
    private Cache<Long, Quote> replica;

    OddsBook(OddsStore store, OddsStream stream, EmbeddedCacheManager caches, ClusterState cluster) {
        this.store = store;
        this.stream = stream;
        this.caches = caches;
        this.cluster = cluster;
    }

    @PostConstruct
    void connect() {
        replica = caches.getCache(Caches.ODDS_BOOK);
        replica.addListener(this);
        caches.addListener(new MergeListener());
        local.putAll(replica); // warm from the cluster, if it had state
    }

    @PreDestroy
    void disconnect() {
        replica.removeListener(this);
    }

    void load(@Observes StartupEvent ignored) {
        if (local.isEmpty()) {
            store.openQuotes().forEach(q -> local.put(q.selectionId(), q));
            LOG.infof("Odds book loaded from the database: %d selections", local.size());
        }
    }

    /**
     * A new ACTIVE rebuilds from the database once it has settled, not at once: until then it validates against
     * this map, which followed the old ACTIVE's synchronous writes (a write that did not reach it was logged there).
     */
    void onSettled(@Observes ActiveSettled settled) {
        rebuild();
    }

    /** The selection's current quote; a miss (a market added a moment ago) reads the database. */
    public Optional<Quote> quote(long selectionId) {
        Quote q = local.get(selectionId);
        if (q != null) {
            return Optional.of(q);
        }
        Optional<Quote> loaded = store.quote(selectionId);
        loaded.filter(Quote::open).ifPresent(found -> local.put(found.selectionId(), found));
        return loaded;
    }

    /** Some selection that takes bets now, if any (the passive's rehearsal of the placement path uses one). */
    public Optional<Quote> anyOpen() {
        return local.values().stream().filter(q -> q.open() && !q.live()).findFirst();
    }

    /** The quote as this node's replicated cache holds it (what a takeover would start from). */
    public Optional<Quote> replicated(long selectionId) {
        return Optional.ofNullable(replica.get(selectionId));
    }

    /** Re-reads one market from the database (after commit), updates both copies and the stream. */
    public void refreshMarket(long marketId) {
        Map<Long, Quote> changed = new HashMap<>();
        for (Quote q : store.quotesOfMarket(marketId)) {
            if (!q.equals(local.put(q.selectionId(), q))) {
                changed.put(q.selectionId(), q);
                publish(q);
            }
        }
        replicate(changed);
    }

    public void refreshSelection(long selectionId) {
        store.quote(selectionId).ifPresent(q -> refreshMarket(q.marketId()));
    }

    /** Drops and rebuilds the book from the database; the ACTIVE's copy then wins in the cluster. */
    public void rebuild() {
        List<Quote> open = store.openQuotes();
        Map<Long, Quote> fresh = new HashMap<>();
        open.forEach(q -> fresh.put(q.selectionId(), q));
        local.keySet().retainAll(fresh.keySet());
        local.putAll(fresh);
        if (cluster.isActive()) {
            // Without blocking the caller: a rebuild runs on the lease thread at takeover, when the peer may have
            // just died; a synchronous put would wait for the remote timeout (longer than the lease ttl) or the
            // next view. The async calls hold no thread of ours (nor the common pool's) while they wait.
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (Long stale : replica.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).keySet()) {
                if (!fresh.containsKey(stale)) {
                    writes.add(replica.removeAsync(stale));
                }
            }
            writes.add(replica.putAllAsync(fresh));
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                    .whenComplete((done, failure) -> {
                        if (failure != null) {
                            LOG.warnf("The rebuilt odds book was not replicated: %s", failure.getMessage());
                        }
                    });
        }
        LOG.infof("Odds book rebuilt from the database: %d selections", open.size());
    }

    private void replicate(Map<Long, Quote> quotes) {
        if (quotes.isEmpty()) {
            return;
        }
        try {
            replica.putAll(quotes);
        } catch (RuntimeException e) {
            // the other node is unreachable or frozen: our own copy is right, its copy is rebuilt from the
            // database if it ever takes over
            LOG.warnf("Odds book change not replicated (%d selections): %s", quotes.size(), e.getMessage());
        }
    }

    private void publish(Quote q) {
        stream.publish(new OddsUpdate(q.selectionId(), q.odds(), q.version(), q.marketId(), q.marketStatus()));
    }

    @CacheEntryCreated
    @CacheEntryModified
    public void replicatedChange(CacheEntryEvent<Long, Quote> event) {
        if (event.isOriginLocal() || event.isPre() || event.getValue() == null) {
            return;
        }
        Quote q = event.getValue();
        if (cluster.isActive()) {
            // The ACTIVE's prices and market status come from its own commits and the database, never from a
            // remote write: whatever another member put into the cache, a bet here is checked against the truth.
            // Its own writes come back as remote ones for the keys the other member owns (a replicated cache's
            // writes go through each key's primary owner): only a value that is not ours is worth a warning.
            if (!q.equals(local.get(q.selectionId()))) {
                LOG.warnf("Ignored a remote odds-book write for selection %d on the ACTIVE node", event.getKey());
            }
            return;
        }
        if (!q.equals(local.put(q.selectionId(), q))) {
            publish(q); // SSE clients of the passive node see prices move too
        }
    }

    @Listener(sync = false)
    public class MergeListener {
        @Merged
        public void merged(MergeEvent event) {
            if (cluster.isActive()) {
                LOG.infof("Cluster merged (%s): the active node's odds book wins", event.getNewMembers());
                rebuild();
            }
        }
    }
}
