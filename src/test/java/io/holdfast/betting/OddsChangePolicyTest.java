package io.holdfast.betting;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

/**
 * The odds-change policy on its own: no Quarkus, milliseconds. OddsChangeTest shows it end to end (a repriced
 * selection, a placement refused or taken, the balance); this one pins each policy at a higher, equal and lower price.
 */
class OddsChangePolicyTest {

    private static final BigDecimal SEEN = new BigDecimal("2.50");
    private static final BigDecimal HIGHER_PRICE = new BigDecimal("2.60");
    private static final BigDecimal LOWER_PRICE = new BigDecimal("2.40");

    @Test
    void shouldAcceptOnlyTheExactPriceUnderNone() {
        assertThat(OddsChangePolicy.NONE.accepts(SEEN, HIGHER_PRICE)).isFalse();
        assertThat(OddsChangePolicy.NONE.accepts(SEEN, SEEN)).isTrue();
        assertThat(OddsChangePolicy.NONE.accepts(SEEN, LOWER_PRICE)).isFalse();
    }

    @Test
    void shouldAcceptTheSameOrABetterPriceUnderHigher() {
        assertThat(OddsChangePolicy.HIGHER.accepts(SEEN, HIGHER_PRICE)).isTrue();
        assertThat(OddsChangePolicy.HIGHER.accepts(SEEN, SEEN)).isTrue();
        assertThat(OddsChangePolicy.HIGHER.accepts(SEEN, LOWER_PRICE)).isFalse();
    }

    @Test
    void shouldAcceptAnyPriceUnderAny() {
        assertThat(OddsChangePolicy.ANY.accepts(SEEN, HIGHER_PRICE)).isTrue();
        assertThat(OddsChangePolicy.ANY.accepts(SEEN, SEEN)).isTrue();
        assertThat(OddsChangePolicy.ANY.accepts(SEEN, LOWER_PRICE)).isTrue();
    }

    @Test
    void shouldCompareByValueNotByScale() {
        // a client may send 2.5 for 2.50; BigDecimal.equals would call them different prices
        assertThat(OddsChangePolicy.NONE.accepts(new BigDecimal("2.5"), SEEN)).isTrue();
        assertThat(OddsChangePolicy.HIGHER.accepts(new BigDecimal("2.500"), SEEN)).isTrue();
    }
}
