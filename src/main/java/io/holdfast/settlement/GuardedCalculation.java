package io.holdfast.settlement;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;

/** The calculation behind a circuit breaker, so a broken calculation stops being called instead of piling up. */
@ApplicationScoped
class GuardedCalculation {

    private final SettlementCalculator calculator;

    GuardedCalculation(SettlementCalculator calculator) {
        this.calculator = calculator;
    }

    /** One bet to calculate: its stake and its legs. */
    record Slip(long stake, List<SettlementCalculator.LegResult> legs) {
    }

    // Opens when half of the last 20 calls failed: one bad market (retried every few seconds) never trips it, a
    // calculation that is broken for everything does; after 10 s one trial call goes through. One call is one
    // settlement batch (one bet failing fails its batch's transaction anyway), so the breaker's bookkeeping is paid
    // once a batch, not once a bet.
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10_000, successThreshold = 1)
    public List<SettlementCalculator.Outcome> outcomes(long marketId, List<Slip> slips) {
        List<SettlementCalculator.Outcome> outcomes = new ArrayList<>(slips.size());
        for (Slip slip : slips) {
            outcomes.add(calculator.outcome(marketId, slip.stake(), slip.legs()));
        }
        return outcomes;
    }
}
