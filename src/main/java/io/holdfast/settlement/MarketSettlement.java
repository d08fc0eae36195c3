package io.holdfast.settlement;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.holdfast.odds.MarketStatus;
import io.holdfast.platform.ModuleApi;

/**
 * A market's settlement state (result and settled revisions, the last failure) and each selection's liability.
 * {@code closedAt} is the latest result's (when the market really closed), {@code lateBetsVoided} how many bets
 * placed at or after it that result voided on this market.
 */
@ModuleApi
public record MarketSettlement(long id, long eventId, String name, MarketStatus status, int resultRevision,
        int settledRevision, String settlementError, Instant settlementRetryAt, Instant closedAt, long lateBetsVoided,
        List<SelectionLiability> selections) {

    /** The open bets on one selection: how many, their stakes, and what the book pays if it wins (minor units). */
    public record SelectionLiability(long id, String name, BigDecimal odds, int version, long openBets, long stakes,
            long liability) {
    }
}
