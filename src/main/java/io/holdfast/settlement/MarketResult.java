package io.holdfast.settlement;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A posted result: one revision of a market's outcome. {@code closedAt}, when given, is when the market really
 * closed: a bet placed at or after it is void on this market whatever its selection did. A revision without a result
 * ({@code hasResult} false) is a rollback: the market's bets are open again. {@code partialSelections} settle by
 * their result on {@code 1 - factor} of the stake and refund the rest (UOF's void_factor).
 */
record MarketResult(long marketId, int revision, long[] winners, long[] voids, boolean voidMarket, Instant closedAt,
        boolean hasResult, long[] partialSelections, BigDecimal[] partialFactors) {

    MarketResult(long marketId, int revision, long[] winners, long[] voids, boolean voidMarket, Instant closedAt) {
        this(marketId, revision, winners, voids, voidMarket, closedAt, true, new long[0], new BigDecimal[0]);
    }

    boolean sameOutcome(long[] otherWinners, long[] otherVoids, boolean otherVoidMarket, Instant otherClosedAt,
            long[] otherPartials, BigDecimal[] otherFactors) {
        return hasResult && voidMarket == otherVoidMarket && Arrays.equals(sorted(winners), sorted(otherWinners))
                && Arrays.equals(sorted(voids), sorted(otherVoids)) && Objects.equals(closedAt, otherClosedAt)
                && partials(partialSelections, partialFactors).equals(partials(otherPartials, otherFactors));
    }

    /** Void factors as PostgreSQL's JDBC driver and the calculator take them. */
    static double[] asDoubles(BigDecimal[] factors) {
        return Arrays.stream(factors).mapToDouble(BigDecimal::doubleValue).toArray();
    }

    /** The factors as "selection=factor" in selection order (0.50 and 0.5 are the same factor). */
    private static String partials(long[] selections, BigDecimal[] factors) {
        java.util.TreeMap<Long, String> byId = new java.util.TreeMap<>();
        for (int i = 0; i < selections.length; i++) {
            byId.put(selections[i], factors[i].stripTrailingZeros().toPlainString());
        }
        return byId.toString();
    }

    private static long[] sorted(long[] a) {
        long[] copy = a.clone();
        Arrays.sort(copy);
        return copy;
    }
}
