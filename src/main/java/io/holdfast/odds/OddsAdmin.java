package io.holdfast.odds;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.holdfast.odds.Views.EventView;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.odds.Views.SelectionView;
import io.holdfast.platform.ModuleApi;

/**
 * Traders' changes to events, markets and prices. Each change commits first (fenced, audited), then the
 * odds book re-reads the market from the database, so the change is in the cache and on the odds stream
 * before the request that made it returns.
 */
@ApplicationScoped
@ModuleApi
public class OddsAdmin {

    public record NewSelection(String name, BigDecimal odds) {
    }

    private final OddsChanges changes;
    private final OddsBook book;

    OddsAdmin(OddsChanges changes, OddsBook book) {
        this.changes = changes;
        this.book = book;
    }

    /** {@code sport} and {@code competition} may be null: the event is filed under "Other". */
    public EventView createEvent(String actor, String name, Instant startsAt, String sport, String competition) {
        return changes.createEvent(actor, name, startsAt, sport, competition);
    }

    public MarketView addMarket(String actor, long eventId, String name, List<NewSelection> selections) {
        MarketView market = changes.addMarket(actor, eventId, name, selections);
        book.refreshMarket(market.id());
        return market;
    }

    public EventView start(String actor, long eventId) {
        return refreshed(changes.start(actor, eventId));
    }

    public EventView finish(String actor, long eventId) {
        return refreshed(changes.finish(actor, eventId));
    }

    public SelectionView changeOdds(String actor, long selectionId, BigDecimal odds) {
        SelectionView selection = changes.changeOdds(actor, selectionId, odds);
        book.refreshSelection(selectionId);
        return selection;
    }

    public MarketView suspend(String actor, long marketId) {
        MarketView market = changes.suspend(actor, marketId);
        book.refreshMarket(marketId);
        return market;
    }

    public MarketView resume(String actor, long marketId) {
        MarketView market = changes.resume(actor, marketId);
        book.refreshMarket(marketId);
        return market;
    }

    private EventView refreshed(EventView event) {
        event.markets().forEach(m -> book.refreshMarket(m.id()));
        return event;
    }
}
