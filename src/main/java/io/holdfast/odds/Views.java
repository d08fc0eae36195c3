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

    public record MarketView(long id, long eventId, String name, MarketStatus status, List<SelectionView> selections) {
    }

    public record EventView(long id, String name, EventStatus status, Instant startsAt, List<MarketView> markets) {
    }
}
