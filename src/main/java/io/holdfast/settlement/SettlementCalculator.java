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

    /** One leg: the odds the bet took and the leg's result (null while its market is unsettled). */
    public record LegResult(BigDecimal odds, String result) {
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
            switch (leg.result()) {
                case "LOST" -> {
                    return new Outcome(Verdict.LOST, 0);
                }
                case "WON" -> {
                    allVoid = false;
                    odds = odds.multiply(leg.odds());
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
        return new Outcome(Verdict.WON, odds.multiply(BigDecimal.valueOf(stake)).setScale(0, RoundingMode.FLOOR)
                .longValueExact());
    }
}
