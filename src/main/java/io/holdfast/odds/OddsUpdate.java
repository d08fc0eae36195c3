package io.holdfast.odds;

import java.math.BigDecimal;

/** One element of GET /api/odds/stream. */
public record OddsUpdate(long selectionId, BigDecimal odds, int version, long marketId, MarketStatus marketStatus) {
}
