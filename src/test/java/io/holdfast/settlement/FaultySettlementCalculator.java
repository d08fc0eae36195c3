package io.holdfast.settlement;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.test.Mock;

/**
 * The real calculation, except for the markets a test names: for those it throws, as a bug in the
 * calculation would. Everything around it (bulkhead, circuit breaker, flagging, retry) is the real thing.
 */
@Mock
@ApplicationScoped
public class FaultySettlementCalculator extends SettlementCalculator {

    static final Set<Long> BROKEN_MARKETS = ConcurrentHashMap.newKeySet();

    @Override
    public Outcome outcome(long marketId, long stake, List<LegResult> legs) {
        if (BROKEN_MARKETS.contains(marketId)) {
            throw new ArithmeticException("injected calculation fault for market " + marketId);
        }
        return super.outcome(marketId, stake, legs);
    }
}
