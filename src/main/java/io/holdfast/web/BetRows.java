package io.holdfast.web;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.holdfast.betting.BetView;
import io.holdfast.odds.OddsCatalog;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.odds.Views.SelectionView;

/** Bets with their selections named for people; each event's names are read once per page. */
final class BetRows {

    /** A bet with its legs named for people. */
    public record BetRow(BetView bet, List<LegRow> legs) {
        public boolean accumulator() {
            return legs.size() > 1;
        }
    }

    public record LegRow(String label, BigDecimal odds, String result) {
    }

    private final OddsCatalog catalog;
    private final Map<Long, String> labels = new HashMap<>();
    private final Map<Long, Boolean> loaded = new HashMap<>();

    BetRows(OddsCatalog catalog) {
        this.catalog = catalog;
    }

    BetRow row(BetView bet) {
        List<LegRow> legs = bet.legs().stream()
                .map(l -> new LegRow(label(l.eventId(), l.selectionId()), l.odds(), l.result())).toList();
        return new BetRow(bet, legs);
    }

    private String label(long eventId, long selectionId) {
        if (loaded.putIfAbsent(eventId, Boolean.TRUE) == null) {
            catalog.event(eventId).ifPresent(e -> {
                for (MarketView m : e.markets()) {
                    for (SelectionView s : m.selections()) {
                        labels.put(s.id(), e.name() + " · " + m.name() + " · " + s.name());
                    }
                }
            });
        }
        return labels.getOrDefault(selectionId, "Selection " + selectionId);
    }
}
