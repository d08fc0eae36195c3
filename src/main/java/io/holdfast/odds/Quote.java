package io.holdfast.odds;

import java.math.BigDecimal;

import io.holdfast.platform.ModuleApi;

/** A selection's current price and the state of its market and event, as bet validation needs them. */
@ModuleApi
public record Quote(long selectionId, long marketId, long eventId, BigDecimal odds, int version,
        MarketStatus marketStatus, EventStatus eventStatus) implements java.io.Serializable {

    public boolean open() {
        return marketStatus == MarketStatus.OPEN
                && (eventStatus == EventStatus.SCHEDULED || eventStatus == EventStatus.LIVE);
    }

    public boolean live() {
        return eventStatus == EventStatus.LIVE;
    }
}
