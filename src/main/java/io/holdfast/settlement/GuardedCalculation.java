package io.holdfast.settlement;

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

    // Opens when half of the last 20 calculations failed: one bad market (retried every few seconds) never
    // trips it, a calculation that is broken for everything does; after 10 s one trial call goes through.
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10_000, successThreshold = 1)
    public SettlementCalculator.Outcome outcome(long marketId, long stake, List<SettlementCalculator.LegResult> legs) {
        return calculator.outcome(marketId, stake, legs);
    }
}
