package io.holdfast.odds;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.events.Outbox;
import io.holdfast.odds.Views.EventView;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.odds.Views.SelectionView;
import io.holdfast.platform.AuditLog;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ProblemException;
import io.quarkus.hibernate.orm.panache.Panache;

/**
 * The transactions behind {@link OddsAdmin}: each fenced (the write guard's lock is taken first, before any
 * entity is read) and audited. Events, markets and selections are created and edited as entities, and each
 * method flushes them before its next plain SQL (the answer, read with the odds store's SQL). A market's
 * status moves by SQL: its lock must wait for the placements holding the row (see moveMarket).
 */
@ApplicationScoped
@Transactional
@Fenced
class OddsChanges {

    private final Jdbc jdbc;
    private final OddsStore store;
    private final AuditLog audit;
    private final Outbox outbox;
    private final FeedMarkets feedMarkets;

    OddsChanges(Jdbc jdbc, OddsStore store, AuditLog audit, Outbox outbox, FeedMarkets feedMarkets) {
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.store = store;
        this.audit = audit;
        this.feedMarkets = feedMarkets;
    }

    EventView createEvent(String actor, String name, Instant startsAt, String sport, String competition) {
        Event event = new Event();
        event.name = name;
        event.startsAt = startsAt;
        if (sport != null) {
            event.sport = sport;
        }
        if (competition != null) {
            event.competition = competition;
        }
        event.status = EventStatus.SCHEDULED;
        event.persist();
        audit.record(actor, "EVENT_CREATED", "event " + event.id + " '" + name + "'");
        Panache.flush();
        return store.event(event.id).orElseThrow();
    }

    MarketView addMarket(String actor, long eventId, String name, List<OddsAdmin.NewSelection> selections) {
        Event event = lockedEvent(eventId);
        if (event.status != EventStatus.SCHEDULED && event.status != EventStatus.LIVE) {
            throw ProblemException.conflict("INVALID_STATE", "Event " + eventId + " is " + event.status);
        }
        Market market = new Market();
        market.eventId = eventId;
        market.name = name;
        market.status = MarketStatus.OPEN;
        market.persist();
        int position = 0;
        for (OddsAdmin.NewSelection s : selections) {
            Selection.open(market.id, s.name(), s.odds(), position++, actor);
        }
        outbox.record(Outbox.Type.MARKET_STATUS_CHANGED, market.id, Outbox.payload("marketId", market.id,
                "eventId", eventId, "from", null, "to", MarketStatus.OPEN.name(), "name", name));
        audit.record(actor, "MARKET_CREATED", "market " + market.id + " '" + name + "' on event " + eventId);
        Panache.flush();
        return store.market(market.id).orElseThrow();
    }

    EventView start(String actor, long eventId) {
        moveEvent(actor, eventId, EventStatus.LIVE, List.of(EventStatus.SCHEDULED));
        Panache.flush();
        return store.event(eventId).orElseThrow();
    }

    /** Finishing an event closes its markets that are still open or suspended: no more bets. */
    EventView finish(String actor, long eventId) {
        moveEvent(actor, eventId, EventStatus.FINISHED, List.of(EventStatus.SCHEDULED, EventStatus.LIVE));
        Panache.flush();
        // FOR UPDATE (in id order, as placements take them): the one row lock that waits for the placements
        // holding these markets FOR KEY SHARE, and makes later ones wait for this commit (BetWriter).
        List<Outbox.Event> closed = jdbc.query("SELECT id, status FROM market WHERE event_id = ? "
                + "AND status IN ('OPEN', 'SUSPENDED') ORDER BY id FOR UPDATE",
                rs -> new Outbox.Event(Outbox.Type.MARKET_STATUS_CHANGED, rs.getLong(1), Outbox.payload("marketId",
                        rs.getLong(1), "eventId", eventId, "from", rs.getString(2), "to", "CLOSED")), eventId);
        outbox.recordAll(closed);
        jdbc.update("UPDATE market SET status = 'CLOSED' WHERE event_id = ? AND status IN ('OPEN', 'SUSPENDED')", eventId);
        return store.event(eventId).orElseThrow();
    }

    SelectionView changeOdds(String actor, long selectionId, BigDecimal odds) {
        Selection selection = Selection.<Selection>findByIdOptional(selectionId, LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(() -> ProblemException.notFound("Selection"));
        MarketStatus status = Market.<Market>findById(selection.marketId).status;
        if (status != MarketStatus.OPEN && status != MarketStatus.SUSPENDED) {
            throw ProblemException.conflict("MARKET_CLOSED", "The market is " + status + "; prices are final");
        }
        selection.reprice(odds, actor);
        outbox.record(Outbox.Type.PRICE_CHANGED, selection.marketId, Outbox.payload("marketId", selection.marketId,
                "selectionId", selectionId, "odds", selection.odds.setScale(2, java.math.RoundingMode.DOWN),
                "version", selection.version));
        audit.record(actor, "ODDS_CHANGED", "selection " + selectionId + " -> " + odds + " (v" + selection.version + ")");
        Panache.flush();
        return store.selection(selectionId).orElseThrow();
    }

    MarketView suspend(String actor, long marketId) {
        return moveMarket(actor, marketId, MarketStatus.SUSPENDED, MarketStatus.OPEN);
    }

    MarketView resume(String actor, long marketId) {
        return moveMarket(actor, marketId, MarketStatus.OPEN, MarketStatus.SUSPENDED);
    }

    private MarketView moveMarket(String actor, long marketId, MarketStatus to, MarketStatus from) {
        // FOR UPDATE: serialized with placements, which hold the row FOR KEY SHARE (BetWriter). Plain SQL, not an
        // entity lock: Hibernate's PESSIMISTIC_WRITE is FOR NO KEY UPDATE on PostgreSQL, which does not wait for them.
        String[] current = jdbc.queryOne("SELECT status, source, operator_hold FROM market WHERE id = ? FOR UPDATE",
                rs -> new String[] { rs.getString(1), rs.getString(2), String.valueOf(rs.getBoolean(3)) }, marketId)
                .orElseThrow(() -> ProblemException.notFound("Market"));
        boolean feed = current[1].equals("FEED");
        boolean held = Boolean.parseBoolean(current[2]);
        if (feed && (current[0].equals("OPEN") || current[0].equals("SUSPENDED"))) {
            // a feed market: the trader's hold wins over whatever the feed says until lifted (FeedMarkets derives the
            // status from it), and a feed suspension stays when the trader lets go
            boolean hold = to == MarketStatus.SUSPENDED;
            if (hold != held) {
                jdbc.update("UPDATE market SET operator_hold = ? WHERE id = ?", hold, marketId);
                feedMarkets.derive(java.util.Set.of(marketId));
                audit.record(actor, "MARKET_" + to.name(), "market " + marketId + " (feed market: trader "
                        + (hold ? "hold" : "hold lifted") + ")");
            }
            return store.market(marketId).orElseThrow();
        }
        if (!current[0].equals(to.name())) {
            if (!current[0].equals(from.name())) {
                throw ProblemException.conflict("INVALID_STATE", "Market " + marketId + " is " + current[0]);
            }
            // clock_timestamp(), taken while holding the row: later than the placed_at of every bet placed before
            // the suspension, so a live bet in its delay is rejected even if the market reopens (PendingBetCompleter)
            jdbc.update("UPDATE market SET status = ?, suspended_at = CASE WHEN ? THEN clock_timestamp() "
                    + "ELSE suspended_at END WHERE id = ?", to.name(), to == MarketStatus.SUSPENDED, marketId);
            outbox.record(Outbox.Type.MARKET_STATUS_CHANGED, marketId, Outbox.payload("marketId", marketId,
                    "from", current, "to", to.name()));
            audit.record(actor, "MARKET_" + to.name(), "market " + marketId);
        }
        return store.market(marketId).orElseThrow();
    }

    private void moveEvent(String actor, long eventId, EventStatus to, List<EventStatus> from) {
        Event event = lockedEvent(eventId);
        if (event.status != to) {
            if (!from.contains(event.status)) {
                throw ProblemException.conflict("INVALID_STATE", "Event " + eventId + " is " + event.status);
            }
            event.status = to;
            audit.record(actor, "EVENT_" + to.name(), "event " + eventId);
        }
    }

    private static Event lockedEvent(long eventId) {
        return Event.<Event>findByIdOptional(eventId, LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(() -> ProblemException.notFound("Event"));
    }
}
