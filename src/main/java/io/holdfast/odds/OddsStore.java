package io.holdfast.odds;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.holdfast.odds.Views.EventView;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.odds.Views.SelectionView;
import io.holdfast.platform.Jdbc;

/** Reads of the odds tables (events, markets, selections) and the quotes the odds book is built from. */
@ApplicationScoped
class OddsStore {

    private static final String EVENT_COLUMNS =
            "SELECT id, name, status, starts_at, sport, competition, source, producer FROM event ";

    private final Jdbc jdbc;

    OddsStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    List<EventView> events(List<EventStatus> statuses, int limit) {
        return events(statuses, Views.EventFilter.NONE, limit);
    }

    /** Events by start time; sport and competition match whole names (any case), {@code q} a part of the name. */
    List<EventView> events(List<EventStatus> statuses, Views.EventFilter filter, int limit) {
        String[] names = statuses.stream().map(Enum::name).toArray(String[]::new);
        StringBuilder where = new StringBuilder("WHERE status = ANY (?::text[]) ");
        List<Object> params = new ArrayList<>(List.of(sqlArray(names)));
        if (filter.sport() != null) {
            where.append("AND lower(sport) = lower(?) ");
            params.add(filter.sport());
        }
        if (filter.competition() != null) {
            where.append("AND lower(competition) = lower(?) ");
            params.add(filter.competition());
        }
        if (filter.q() != null) {
            where.append("AND (name ILIKE ? ESCAPE '\\' OR competition ILIKE ? ESCAPE '\\' OR sport ILIKE ? ESCAPE '\\') ");
            String like = "%" + filter.q().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            params.addAll(List.of(like, like, like));
        }
        if (filter.tradable()) {
            where.append("AND EXISTS (SELECT 1 FROM market m WHERE m.event_id = event.id AND m.status IN ('OPEN', 'SUSPENDED')) ");
        }
        params.add(limit);
        List<EventView> bare = jdbc.query(EVENT_COLUMNS + where + "ORDER BY starts_at, id LIMIT ?", OddsStore::bareEvent,
                params.toArray());
        if (bare.isEmpty()) {
            return bare;
        }
        long[] ids = bare.stream().mapToLong(EventView::id).toArray();
        Map<Long, List<MarketView>> markets = marketsOf(ids);
        return bare.stream().map(e -> e.withMarkets(markets.getOrDefault(e.id(), List.of()))).toList();
    }

    /** Sports and competitions with their open events (scheduled or live), in name order. */
    List<Views.SportView> sports() {
        Map<String, List<Views.CompetitionView>> bySport = new LinkedHashMap<>();
        jdbc.query("SELECT sport, competition, count(*), count(*) FILTER (WHERE status = 'LIVE') FROM event "
                + "WHERE status IN ('SCHEDULED', 'LIVE') GROUP BY sport, competition ORDER BY sport, competition",
                rs -> bySport.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new Views.CompetitionView(rs.getString(2), rs.getLong(3), rs.getLong(4))));
        return bySport.entrySet().stream().map(e -> new Views.SportView(e.getKey(),
                e.getValue().stream().mapToLong(Views.CompetitionView::events).sum(),
                e.getValue().stream().mapToLong(Views.CompetitionView::live).sum(), List.copyOf(e.getValue()))).toList();
    }

    Optional<EventView> event(long id) {
        return jdbc.queryOne(EVENT_COLUMNS + "WHERE id = ?", OddsStore::bareEvent, id)
                .map(e -> e.withMarkets(marketsOf(new long[] { id }).getOrDefault(id, List.of())));
    }

    Optional<MarketView> market(long id) {
        List<MarketView> found = markets("m.id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    Optional<SelectionView> selection(long id) {
        return jdbc.queryOne("SELECT id, name, odds, version FROM selection WHERE id = ?", OddsStore::selection, id);
    }

    /** Quotes of every market still taking or about to take bets (the odds book's contents). */
    List<Quote> openQuotes() {
        return quotes("m.status IN ('OPEN', 'SUSPENDED') AND e.status IN ('SCHEDULED', 'LIVE')");
    }

    List<Quote> quotesOfMarket(long marketId) {
        return quotes("m.id = ?", marketId);
    }

    Optional<Quote> quote(long selectionId) {
        List<Quote> found = quotes("s.id = ?", selectionId);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private List<Quote> quotes(String where, Object... params) {
        return jdbc.query("SELECT s.id, s.market_id, m.event_id, s.odds, s.version, m.status AS market_status, "
                + "e.status AS event_status FROM selection s JOIN market m ON m.id = s.market_id "
                + "JOIN event e ON e.id = m.event_id WHERE " + where,
                rs -> new Quote(rs.getLong(1), rs.getLong(2), rs.getLong(3), Jdbc.odds(rs, "odds"), rs.getInt(5),
                        MarketStatus.valueOf(rs.getString("market_status")),
                        EventStatus.valueOf(rs.getString("event_status"))),
                params);
    }

    private Map<Long, List<MarketView>> marketsOf(long[] eventIds) {
        Map<Long, List<MarketView>> byEvent = new LinkedHashMap<>();
        for (MarketView m : markets("m.event_id = ANY (?)", (Object) eventIds)) {
            byEvent.computeIfAbsent(m.eventId(), k -> new ArrayList<>()).add(m);
        }
        return byEvent;
    }

    private List<MarketView> markets(String where, Object... params) {
        Map<Long, MarketView> markets = new LinkedHashMap<>();
        jdbc.query("SELECT m.id AS market_id, m.event_id, m.name AS market_name, m.status, m.source, m.producer, s.id, s.name, s.odds, s.version "
                + "FROM market m LEFT JOIN selection s ON s.market_id = m.id WHERE " + where
                + " ORDER BY m.id, s.position", rs -> {
                    MarketView m = markets.computeIfAbsent(rs.getLong("market_id"), id -> {
                        try {
                            return new MarketView(id, rs.getLong("event_id"), rs.getString("market_name"),
                                    MarketStatus.valueOf(rs.getString("status")), rs.getString("source"),
                                    rs.getString("producer"), new ArrayList<>());
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    if (Jdbc.nullableLong(rs, "id") != null) {
                        m.selections().add(selection(rs));
                    }
                    return m;
                }, params);
        return List.copyOf(markets.values());
    }

    private static EventView bareEvent(ResultSet rs) throws SQLException {
        return new EventView(rs.getLong("id"), rs.getString("name"), EventStatus.valueOf(rs.getString("status")),
                Jdbc.instant(rs, "starts_at"), rs.getString("sport"), rs.getString("competition"), rs.getString("source"),
                rs.getString("producer"), List.of());
    }

    private static SelectionView selection(ResultSet rs) throws SQLException {
        return new SelectionView(rs.getLong("id"), rs.getString("name"), Jdbc.odds(rs, "odds"), rs.getInt("version"));
    }

    private static String sqlArray(String[] names) {
        return "{" + String.join(",", names) + "}";
    }
}
