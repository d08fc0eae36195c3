package io.holdfast.settlement;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

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

    /**
     * Markets whose calculation throws once, at the given bet of the market's settlement (counted from 1): a batch
     * that fails in the middle of a settlement, its transaction rolled back as a crash would roll it back.
     */
    static final Map<Long, AtomicInteger> FAIL_ONCE_AT = new ConcurrentHashMap<>();

    @Override
    public Outcome outcome(long marketId, long stake, List<LegResult> legs) {
        if (BROKEN_MARKETS.contains(marketId)) {
            throw new ArithmeticException("injected calculation fault for market " + marketId);
        }
        AtomicInteger left = FAIL_ONCE_AT.get(marketId);
        if (left != null && left.decrementAndGet() == 0) {
            FAIL_ONCE_AT.remove(marketId);
            throw new ArithmeticException("injected calculation fault in the middle of market " + marketId);
        }
        return super.outcome(marketId, stake, legs);
    }
}
