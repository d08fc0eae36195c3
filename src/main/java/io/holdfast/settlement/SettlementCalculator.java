package io.holdfast.settlement;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The settlement calculation: what a bet returns given its legs' results. A void leg counts as odds 1.00;
 * one lost leg loses the bet; a bet with every leg void is void and returns its stake.
 */
@ApplicationScoped
class SettlementCalculator {

    public enum Verdict {
        OPEN, WON, LOST, VOID
    }

    /**
     * One leg: the odds the bet took, the leg's result (null while its market is unsettled) and its void factor (null,
     * or between 0 and 1: that part of the stake is refunded, the rest settles by the result).
     */
    public record LegResult(BigDecimal odds, String result, BigDecimal voidFactor) {
        public LegResult(BigDecimal odds, String result) {
            this(odds, result, null);
        }
    }

    public record Outcome(Verdict verdict, long payout) {
    }

    public Outcome outcome(long marketId, long stake, List<LegResult> legs) {
        boolean open = false;
        boolean allVoid = true;
        BigDecimal odds = BigDecimal.ONE;
        for (LegResult leg : legs) {
            if (leg.result() == null) {
                open = true;
                allVoid = false;
                continue;
            }
            BigDecimal refunded = leg.voidFactor() == null ? BigDecimal.ZERO : leg.voidFactor();
            switch (leg.result()) {
                case "LOST" -> {
                    if (refunded.signum() == 0) {
                        return new Outcome(Verdict.LOST, 0);
                    }
                    allVoid = false;
                    odds = odds.multiply(refunded); // the refunded part returns at 1.00, the rest is lost
                }
                case "WON" -> {
                    allVoid = false;
                    // the refunded part at 1.00, the rest at the odds
                    odds = odds.multiply(refunded.add(BigDecimal.ONE.subtract(refunded).multiply(leg.odds())));
                }
                case "VOID" -> {
                    // counts as 1.00
                }
                default -> throw new IllegalArgumentException("Unknown leg result " + leg.result());
            }
        }
        if (open) {
            return new Outcome(Verdict.OPEN, 0);
        }
        if (allVoid) {
            return new Outcome(Verdict.VOID, stake);
        }
        long payout = odds.multiply(BigDecimal.valueOf(stake)).setScale(0, RoundingMode.FLOOR).longValueExact();
        return new Outcome(payout > 0 ? Verdict.WON : Verdict.LOST, payout);
    }
}
