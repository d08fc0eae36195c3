package io.holdfast.settlement;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A posted result: one revision of a market's outcome. {@code closedAt}, when given, is when the market really
 * closed: a bet placed at or after it is void on this market whatever its selection did.
 */
record MarketResult(long marketId, int revision, long[] winners, long[] voids, boolean voidMarket, Instant closedAt) {

    boolean sameOutcome(long[] otherWinners, long[] otherVoids, boolean otherVoidMarket, Instant otherClosedAt) {
        return voidMarket == otherVoidMarket && Arrays.equals(sorted(winners), sorted(otherWinners))
                && Arrays.equals(sorted(voids), sorted(otherVoids)) && Objects.equals(closedAt, otherClosedAt);
    }

    private static long[] sorted(long[] a) {
        long[] copy = a.clone();
        Arrays.sort(copy);
        return copy;
    }
}
