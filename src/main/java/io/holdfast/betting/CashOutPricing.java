package io.holdfast.betting;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

import io.holdfast.platform.ProblemException;

/**
 * What a bet is worth back now: stake x the odds taken / the price now, less the margin. For an accumulator the
 * legs already won count at the odds taken, void ones at 1.00, and the price now is the product over the legs still
 * open. One division and one floor, so the amount is exact to the cent.
 */
final class CashOutPricing {

    /** A leg as the database has it now. */
    record LegNow(long marketId, BigDecimal taken, BigDecimal current, String result, String marketStatus,
            String eventStatus) {

        boolean open() {
            return result == null;
        }

        boolean trading() {
            return "OPEN".equals(marketStatus) && ("SCHEDULED".equals(eventStatus) || "LIVE".equals(eventStatus));
        }
    }

    private CashOutPricing() {
    }

    /** The amount offered, or 409 CASH_OUT_UNAVAILABLE when a leg is lost or an open leg's market does not trade. */
    static long amount(long stake, List<LegNow> legs, BigDecimal margin) {
        BigDecimal value = BigDecimal.valueOf(stake).multiply(BigDecimal.ONE.subtract(margin));
        BigDecimal now = BigDecimal.ONE;
        boolean anyOpen = false;
        for (LegNow leg : legs) {
            if (leg.open()) {
                if (!leg.trading()) {
                    throw unavailable("Market " + leg.marketId() + " is " + ("OPEN".equals(leg.marketStatus())
                            ? "not trading" : leg.marketStatus().toLowerCase(java.util.Locale.ROOT)));
                }
                anyOpen = true;
                value = value.multiply(leg.taken());
                now = now.multiply(leg.current());
            } else if ("WON".equals(leg.result())) {
                value = value.multiply(leg.taken());
            } else if ("LOST".equals(leg.result())) {
                throw unavailable("A leg of this bet is lost");
            }
        }
        if (!anyOpen) {
            throw unavailable("Every leg of this bet is settled");
        }
        long amount = value.divide(now, 0, RoundingMode.FLOOR).longValueExact();
        if (amount < 1) {
            throw unavailable("This bet is worth nothing to cash out now");
        }
        return amount;
    }

    static ProblemException unavailable(String detail) {
        return ProblemException.conflict("CASH_OUT_UNAVAILABLE", detail);
    }
}
