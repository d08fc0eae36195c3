package io.holdfast.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.holdfast.odds.EventStatus;
import io.holdfast.odds.MarketStatus;
import io.holdfast.odds.Views.EventView;
import io.holdfast.odds.Views.MarketView;

/**
 * The odds as a bettor browses them: an event as a card with its main market, upcoming events grouped by sport and
 * then competition (each group in the order of its first event's start), and an event's markets grouped by kind.
 * Only markets that trade or are suspended are shown; closed, settled and void ones live on in "My bets".
 */
final class EventBoard {

    /** An event on the home page: its main market (the match result if it has one) and how many more it has. */
    public record EventCard(EventView event, MarketView main, int more) {
        public boolean live() {
            return event.status() == EventStatus.LIVE;
        }
    }

    public record CompetitionGroup(String sport, String competition, List<EventCard> events) {
    }

    public record SportGroup(String sport, List<CompetitionGroup> competitions) {
    }

    /** Markets of one kind on an event page: main, goals and totals, handicaps, the rest. */
    public record MarketGroup(String name, List<MarketView> markets) {
    }

    static final String MAIN = "Main";
    static final String TOTALS = "Goals and totals";
    static final String HANDICAPS = "Handicaps";
    static final String OTHER = "More markets";
    private static final List<String> ORDER = List.of(MAIN, TOTALS, HANDICAPS, OTHER);

    private EventBoard() {
    }

    static boolean shown(MarketView m) {
        return m.status() == MarketStatus.OPEN || m.status() == MarketStatus.SUSPENDED;
    }

    static List<MarketView> shownMarkets(EventView e) {
        return e.markets().stream().filter(EventBoard::shown).toList();
    }

    /** The card of an event, or null when none of its markets is shown. */
    static EventCard card(EventView e) {
        List<MarketView> shown = shownMarkets(e);
        if (shown.isEmpty()) {
            return null;
        }
        MarketView main = shown.stream().filter(m -> kind(m.name()).equals(MAIN)).findFirst().orElse(shown.get(0));
        return new EventCard(e, main, shown.size() - 1);
    }

    static List<EventCard> cards(List<EventView> events) {
        return events.stream().map(EventBoard::card).filter(c -> c != null).toList();
    }

    /** Sport, then competition, each in the order of its earliest event (the events come by start time). */
    static List<SportGroup> bySport(List<EventCard> cards) {
        Map<String, Map<String, List<EventCard>>> sports = new LinkedHashMap<>();
        for (EventCard c : cards) {
            sports.computeIfAbsent(c.event().sport(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(c.event().competition(), k -> new ArrayList<>()).add(c);
        }
        List<SportGroup> groups = new ArrayList<>();
        sports.forEach((sport, competitions) -> {
            List<CompetitionGroup> inner = new ArrayList<>();
            competitions.forEach((name, events) -> inner.add(new CompetitionGroup(sport, name, List.copyOf(events))));
            groups.add(new SportGroup(sport, List.copyOf(inner)));
        });
        return groups;
    }

    /** An event's shown markets by kind, in a fixed order of kinds; market order within a kind as created. */
    static List<MarketGroup> byKind(EventView e) {
        Map<String, List<MarketView>> kinds = new LinkedHashMap<>();
        ORDER.forEach(k -> kinds.put(k, new ArrayList<>()));
        for (MarketView m : shownMarkets(e)) {
            kinds.get(kind(m.name())).add(m);
        }
        return kinds.entrySet().stream().filter(k -> !k.getValue().isEmpty())
                .map(k -> new MarketGroup(k.getKey(), List.copyOf(k.getValue()))).toList();
    }

    /** The kind of a market, from its name as traders and the feed spell them. */
    static String kind(String marketName) {
        String n = marketName.toLowerCase(Locale.ROOT);
        if (n.contains("match result") || n.contains("1x2") || n.contains("match winner") || n.contains("money line")
                || n.contains("moneyline") || n.equals("winner") || n.contains("full time result")) {
            return MAIN;
        }
        if (n.contains("handicap") || n.contains("spread")) {
            return HANDICAPS;
        }
        if (n.contains("total") || n.contains("over/under") || n.contains("goals") || n.contains("points")) {
            return TOTALS;
        }
        return OTHER;
    }
}
