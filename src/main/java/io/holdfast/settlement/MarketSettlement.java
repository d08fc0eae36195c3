package io.holdfast.settlement;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.holdfast.odds.MarketStatus;

/** A market's settlement state (result and settled revisions, the last failure) and each selection's liability. */
public record MarketSettlement(long id, long eventId, String name, MarketStatus status, int resultRevision,
        int settledRevision, String settlementError, Instant settlementRetryAt, List<SelectionLiability> selections) {

    /** The open bets on one selection: how many, their stakes, and what the book pays if it wins (minor units). */
    public record SelectionLiability(long id, String name, BigDecimal odds, int version, long openBets, long stakes,
            long liability) {
    }
}
