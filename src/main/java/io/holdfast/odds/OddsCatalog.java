package io.holdfast.odds;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.odds.Views.EventView;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.platform.ModuleApi;

/** Read facade of the odds module: events, markets and prices as stored. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
@ModuleApi
public class OddsCatalog {

    private final OddsStore store;

    OddsCatalog(OddsStore store) {
        this.store = store;
    }

    public List<EventView> events(List<EventStatus> statuses, int limit) {
        return store.events(statuses, limit);
    }

    public List<EventView> events(List<EventStatus> statuses, Views.EventFilter filter, int limit) {
        return store.events(statuses, filter, limit);
    }

    public List<Views.SportView> sports() {
        return store.sports();
    }

    public Optional<EventView> event(long id) {
        return store.event(id);
    }

    public Optional<MarketView> market(long id) {
        return store.market(id);
    }
}
