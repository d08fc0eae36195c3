package io.holdfast.odds;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.odds.Views.EventView;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.odds.Views.SelectionView;
import io.holdfast.platform.AuditLog;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ProblemException;

/** The transactions behind {@link OddsAdmin}: each fenced and audited. */
@ApplicationScoped
@Transactional
@Fenced
class OddsChanges {

    private final Jdbc jdbc;
    private final OddsStore store;
    private final AuditLog audit;

    OddsChanges(Jdbc jdbc, OddsStore store, AuditLog audit) {
        this.jdbc = jdbc;
        this.store = store;
        this.audit = audit;
    }

    EventView createEvent(String actor, String name, Instant startsAt) {
        long id = jdbc.queryOne("INSERT INTO event (name, starts_at) VALUES (?, ?) RETURNING id",
                rs -> rs.getLong(1), name, startsAt).orElseThrow();
        audit.record(actor, "EVENT_CREATED", "event " + id + " '" + name + "'");
        return store.event(id).orElseThrow();
    }

    MarketView addMarket(String actor, long eventId, String name, List<OddsAdmin.NewSelection> selections) {
        EventStatus status = eventStatus(eventId, true);
        if (status != EventStatus.SCHEDULED && status != EventStatus.LIVE) {
            throw ProblemException.conflict("INVALID_STATE", "Event " + eventId + " is " + status);
        }
        long marketId = jdbc.queryOne("INSERT INTO market (event_id, name) VALUES (?, ?) RETURNING id",
                rs -> rs.getLong(1), eventId, name).orElseThrow();
        int position = 0;
        for (OddsAdmin.NewSelection s : selections) {
            long selectionId = jdbc.queryOne("INSERT INTO selection (market_id, name, odds, position) "
                    + "VALUES (?, ?, ?, ?) RETURNING id", rs -> rs.getLong(1), marketId, s.name(), s.odds(), position++)
                    .orElseThrow();
            jdbc.update("INSERT INTO price_history (selection_id, odds, version, actor) VALUES (?, ?, 1, ?)",
                    selectionId, s.odds(), actor);
        }
        audit.record(actor, "MARKET_CREATED", "market " + marketId + " '" + name + "' on event " + eventId);
        return store.market(marketId).orElseThrow();
    }

    EventView start(String actor, long eventId) {
        return moveEvent(actor, eventId, EventStatus.LIVE, List.of(EventStatus.SCHEDULED));
    }

    /** Finishing an event closes its markets that are still open or suspended: no more bets. */
    EventView finish(String actor, long eventId) {
        EventView event = moveEvent(actor, eventId, EventStatus.FINISHED,
                List.of(EventStatus.SCHEDULED, EventStatus.LIVE));
        // FOR UPDATE (in id order, as placements take them): the one row lock that waits for the placements
        // holding these markets FOR KEY SHARE, and makes later ones wait for this commit (BetWriter).
        jdbc.query("SELECT id FROM market WHERE event_id = ? AND status IN ('OPEN', 'SUSPENDED') ORDER BY id FOR UPDATE",
                rs -> rs.getLong(1), eventId);
        jdbc.update("UPDATE market SET status = 'CLOSED' WHERE event_id = ? AND status IN ('OPEN', 'SUSPENDED')", eventId);
        return store.event(event.id()).orElseThrow();
    }

    SelectionView changeOdds(String actor, long selectionId, java.math.BigDecimal odds) {
        var row = jdbc.queryOne("SELECT s.market_id, m.status FROM selection s JOIN market m ON m.id = s.market_id "
                + "WHERE s.id = ? FOR UPDATE OF s", rs -> new Object[] { rs.getLong(1), rs.getString(2) }, selectionId)
                .orElseThrow(() -> ProblemException.notFound("Selection"));
        String status = (String) row[1];
        if (!status.equals("OPEN") && !status.equals("SUSPENDED")) {
            throw ProblemException.conflict("MARKET_CLOSED", "The market is " + status + "; prices are final");
        }
        int version = jdbc.queryOne("UPDATE selection SET odds = ?, version = version + 1 WHERE id = ? RETURNING version",
                rs -> rs.getInt(1), odds, selectionId).orElseThrow();
        jdbc.update("INSERT INTO price_history (selection_id, odds, version, actor) VALUES (?, ?, ?, ?)",
                selectionId, odds, version, actor);
        audit.record(actor, "ODDS_CHANGED", "selection " + selectionId + " -> " + odds + " (v" + version + ")");
        return store.selection(selectionId).orElseThrow();
    }

    MarketView suspend(String actor, long marketId) {
        return moveMarket(actor, marketId, MarketStatus.SUSPENDED, MarketStatus.OPEN);
    }

    MarketView resume(String actor, long marketId) {
        return moveMarket(actor, marketId, MarketStatus.OPEN, MarketStatus.SUSPENDED);
    }

    private MarketView moveMarket(String actor, long marketId, MarketStatus to, MarketStatus from) {
        // FOR UPDATE: serialized with placements, which hold the row FOR KEY SHARE (BetWriter)
        String current = jdbc.queryOne("SELECT status FROM market WHERE id = ? FOR UPDATE", rs -> rs.getString(1), marketId)
                .orElseThrow(() -> ProblemException.notFound("Market"));
        if (!current.equals(to.name())) {
            if (!current.equals(from.name())) {
                throw ProblemException.conflict("INVALID_STATE", "Market " + marketId + " is " + current);
            }
            // clock_timestamp(), taken while holding the row: later than the placed_at of every bet placed before
            // the suspension, so a live bet in its delay is rejected even if the market reopens (PendingBetCompleter)
            jdbc.update("UPDATE market SET status = ?, suspended_at = CASE WHEN ? THEN clock_timestamp() "
                    + "ELSE suspended_at END WHERE id = ?", to.name(), to == MarketStatus.SUSPENDED, marketId);
            audit.record(actor, "MARKET_" + to.name(), "market " + marketId);
        }
        return store.market(marketId).orElseThrow();
    }

    private EventView moveEvent(String actor, long eventId, EventStatus to, List<EventStatus> from) {
        EventStatus current = eventStatus(eventId, true);
        if (current != to) {
            if (!from.contains(current)) {
                throw ProblemException.conflict("INVALID_STATE", "Event " + eventId + " is " + current);
            }
            jdbc.update("UPDATE event SET status = ? WHERE id = ?", to.name(), eventId);
            audit.record(actor, "EVENT_" + to.name(), "event " + eventId);
        }
        return store.event(eventId).orElseThrow();
    }

    private EventStatus eventStatus(long eventId, boolean lock) {
        return jdbc.queryOne("SELECT status FROM event WHERE id = ?" + (lock ? " FOR UPDATE" : ""),
                rs -> EventStatus.valueOf(rs.getString(1)), eventId)
                .orElseThrow(() -> ProblemException.notFound("Event"));
    }
}
