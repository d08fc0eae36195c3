package io.holdfast.odds;

import java.math.BigDecimal;

import io.holdfast.platform.ModuleApi;

/** One element of GET /api/odds/stream. */
@ModuleApi
public record OddsUpdate(long selectionId, BigDecimal odds, int version, long marketId, MarketStatus marketStatus) {
}
