package io.holdfast.odds;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.holdfast.cluster.NodeRole;
import io.holdfast.cluster.RoleChanged;
import io.quarkus.runtime.StartupEvent;

/**
 * The odds book: current prices and market status by selection, the cache bet validation reads instead
 * of the database. Derived state only: built from the database at start and on every role change, and
 * refreshed from the database after each committed odds change, before the request that made it returns.
 */
@ApplicationScoped
public class OddsBook {

    private static final Logger LOG = Logger.getLogger(OddsBook.class);

    private final Map<Long, Quote> quotes = new ConcurrentHashMap<>();
    private final OddsStore store;
    private final OddsStream stream;

    OddsBook(OddsStore store, OddsStream stream) {
        this.store = store;
        this.stream = stream;
    }

    void load(@Observes StartupEvent ignored) {
        rebuild();
    }

    void onRoleChange(@Observes RoleChanged change) {
        if (change.to() == NodeRole.ACTIVE) {
            rebuild();
        }
    }

    /** The selection's current quote; a miss (a market added a moment ago elsewhere) reads the database. */
    public Optional<Quote> quote(long selectionId) {
        Quote q = quotes.get(selectionId);
        if (q != null) {
            return Optional.of(q);
        }
        Optional<Quote> loaded = store.quote(selectionId);
        loaded.filter(Quote::open).ifPresent(found -> quotes.put(found.selectionId(), found));
        return loaded;
    }

    /** Re-reads one market from the database (after commit) and publishes its prices to the stream. */
    public void refreshMarket(long marketId) {
        for (Quote q : store.quotesOfMarket(marketId)) {
            Quote before = quotes.put(q.selectionId(), q);
            if (!q.equals(before)) {
                stream.publish(new OddsUpdate(q.selectionId(), q.odds(), q.version(), q.marketId(), q.marketStatus()));
            }
        }
    }

    public void refreshSelection(long selectionId) {
        store.quote(selectionId).ifPresent(q -> refreshMarket(q.marketId()));
    }

    public void rebuild() {
        List<Quote> open = store.openQuotes();
        quotes.clear();
        open.forEach(q -> quotes.put(q.selectionId(), q));
        LOG.infof("Odds book rebuilt from the database: %d selections", open.size());
    }
}
