package io.holdfast.odds;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.holdfast.platform.ModuleApi;

/** What the odds module shows the world: events with their markets and prices. */
@ModuleApi
public final class Views {

    private Views() {
    }

    public record SelectionView(long id, String name, BigDecimal odds, int version) {
    }

    /** {@code source} is MANUAL (typed in the back office) or FEED; {@code producer} is the feed's owner, else null. */
    public record MarketView(long id, long eventId, String name, MarketStatus status, String source, String producer,
            List<SelectionView> selections) {
    }

    /** A sport with its competitions and how many open (scheduled or live) events each has. */
    public record SportView(String sport, long events, long live, List<CompetitionView> competitions) {
    }

    public record CompetitionView(String competition, long events, long live) {
    }

    /**
     * Which events a bettor asks for: any part may be null (no filter); {@code q} matches names (teams), competitions
     * and sports; {@code tradable} keeps only events with a market open or suspended (the bettor's home page).
     */
    public record EventFilter(String sport, String competition, String q, boolean tradable) {
        public static final EventFilter NONE = new EventFilter(null, null, null, false);
    }

    public record EventView(long id, String name, EventStatus status, Instant startsAt, String sport, String competition,
            String source, String producer, List<MarketView> markets) {

        EventView withMarkets(List<MarketView> markets) {
            return new EventView(id, name, status, startsAt, sport, competition, source, producer, markets);
        }
    }
}
