package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

class OddsFormatTest {

    @Test
    void shouldSpellDecimalOddsAsFractionalAndAmerican() {
        assertThat(OddsFormat.DECIMAL.format(new BigDecimal("2.5"))).isEqualTo("2.50");
        assertThat(OddsFormat.FRACTIONAL.format(new BigDecimal("2.50"))).isEqualTo("3/2");
        assertThat(OddsFormat.FRACTIONAL.format(new BigDecimal("2.00"))).isEqualTo("1/1");
        assertThat(OddsFormat.FRACTIONAL.format(new BigDecimal("1.25"))).isEqualTo("1/4");
        assertThat(OddsFormat.FRACTIONAL.format(new BigDecimal("3.10"))).isEqualTo("21/10");
        assertThat(OddsFormat.AMERICAN.format(new BigDecimal("2.50"))).isEqualTo("+150");
        assertThat(OddsFormat.AMERICAN.format(new BigDecimal("2.00"))).isEqualTo("+100");
        assertThat(OddsFormat.AMERICAN.format(new BigDecimal("1.50"))).isEqualTo("-200");
        assertThat(OddsFormat.AMERICAN.format(new BigDecimal("1.25"))).isEqualTo("-400");
    }

    @Test
    void shouldFallBackToDecimalForAnUnknownPreference() {
        assertThat(OddsFormat.parse("roman")).isEqualTo(OddsFormat.DECIMAL);
        assertThat(OddsFormat.parse(null)).isEqualTo(OddsFormat.DECIMAL);
        assertThat(OddsFormat.parse("american")).isEqualTo(OddsFormat.AMERICAN);
    }

    @Test
    void shouldReadAmountsTypedByPeople() {
        assertThat(Money.parse("12.5")).isEqualTo(1250L);
        assertThat(Money.parse("0,99")).isEqualTo(99L);
        assertThat(Money.parse("-1")).isNull();
        assertThat(Money.parse("1.234")).isNull();
        assertThat(Money.parse("abc")).isNull();
        assertThat(Money.format(114_12)).isEqualTo("114.12");
    }
}
