package io.holdfast.settlement;

import java.util.Arrays;

/** A posted result: one revision of a market's outcome. */
record MarketResult(long marketId, int revision, long[] winners, long[] voids, boolean voidMarket) {

    boolean sameOutcome(long[] otherWinners, long[] otherVoids, boolean otherVoidMarket) {
        return voidMarket == otherVoidMarket && Arrays.equals(sorted(winners), sorted(otherWinners))
                && Arrays.equals(sorted(voids), sorted(otherVoids));
    }

    private static long[] sorted(long[] a) {
        long[] copy = a.clone();
        Arrays.sort(copy);
        return copy;
    }
}
