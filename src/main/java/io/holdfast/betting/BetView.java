package io.holdfast.betting;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.holdfast.platform.ModuleApi;

/** A bet as the API shows it; {@code odds} is the combined price (the product of the legs). */
@ModuleApi
public record BetView(long id, String requestId, BetStatus status, long stake, BigDecimal odds, long potentialPayout,
        Long payout, Instant placedAt, Instant dueAt, Instant settledAt, String rejectReason,
        OddsChangePolicy oddsChange, List<Leg> legs) {

    public record Leg(long selectionId, long marketId, long eventId, BigDecimal odds, int version, String result) {
    }
}
