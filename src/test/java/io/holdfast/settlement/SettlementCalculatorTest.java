package io.holdfast.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.holdfast.settlement.SettlementCalculator.LegResult;
import io.holdfast.settlement.SettlementCalculator.Outcome;
import io.holdfast.settlement.SettlementCalculator.Verdict;

/**
 * The settlement calculation on its own: no Quarkus, no database, milliseconds. SettlementTest shows the same
 * rules end to end (results posted through the API, payouts in the ledger); this one pins the arithmetic.
 * A leg is WON, LOST or VOID, and may carry a void factor (the odds feed's: that part of the stake is refunded).
 */
class SettlementCalculatorTest {

    private static final long MARKET = 7;

    private final SettlementCalculator calculator = new SettlementCalculator();

    private static LegResult leg(String odds, String result) {
        return new LegResult(new BigDecimal(odds), result);
    }

    private Outcome settle(long stake, LegResult... legs) {
        return calculator.outcome(MARKET, stake, Arrays.asList(legs));
    }

    private static LegResult leg(String odds, String result, String voidFactor) {
        return new LegResult(new BigDecimal(odds), result, new BigDecimal(voidFactor));
    }

    @Test
    void shouldPayHalfAtTheOddsAndRefundHalfOfAWonSelectionWithVoidFactorOneHalf() {
        // 1000 × (0.5 + 0.5 × 2.00) = 1500
        assertThat(settle(1_000, leg("2.00", "WON", "0.5"))).isEqualTo(new Outcome(Verdict.WON, 1_500));
    }

    @Test
    void shouldRefundHalfTheStakeOfALostSelectionWithVoidFactorOneHalf() {
        assertThat(settle(1_000, leg("3.00", "LOST", "0.5"))).isEqualTo(new Outcome(Verdict.WON, 500));
        // in an accumulator the partly refunded leg counts at 0.5
        assertThat(settle(1_000, leg("3.00", "LOST", "0.5"), leg("2.00", "WON"))).isEqualTo(new Outcome(Verdict.WON, 1_000));
    }

    @Test
    void shouldPayAWonSingleStakeTimesOdds() {
        assertThat(settle(1_000, leg("2.50", "WON"))).isEqualTo(new Outcome(Verdict.WON, 2_500));
    }

    @Test
    void shouldRoundAPayoutDownToTheMinorUnit() {
        // 333 × 1.85 = 616.05: the bettor gets 616, never a cent the odds did not earn
        assertThat(settle(333, leg("1.85", "WON"))).isEqualTo(new Outcome(Verdict.WON, 616));
        // 101 × 1.99 = 200.99
        assertThat(settle(101, leg("1.99", "WON"))).isEqualTo(new Outcome(Verdict.WON, 200));
    }

    @Test
    void shouldPayNothingForALostSingle() {
        assertThat(settle(1_000, leg("2.50", "LOST"))).isEqualTo(new Outcome(Verdict.LOST, 0));
    }

    @Test
    void shouldReturnTheStakeOfASingleOnAVoidSelection() {
        assertThat(settle(1_000, leg("2.50", "VOID"))).isEqualTo(new Outcome(Verdict.VOID, 1_000));
    }

    @Test
    void shouldKeepASingleOpenWhileItsMarketIsUnsettled() {
        assertThat(settle(1_000, leg("2.50", null))).isEqualTo(new Outcome(Verdict.OPEN, 0));
    }

    @Test
    void shouldPayAWonAccumulatorTheProductOfItsOdds() {
        // 2.00 × 1.50 × 3.10 = 9.30
        assertThat(settle(1_000, leg("2.00", "WON"), leg("1.50", "WON"), leg("3.10", "WON")))
                .isEqualTo(new Outcome(Verdict.WON, 9_300));
    }

    @Test
    void shouldRoundAnAccumulatorOnlyOnceAtTheEnd() {
        // 1.33 × 1.33 × 1.33 = 2.352637: 100 × that is 235, not 100 × 1.33 = 133 → 176 → 234 rounded leg by leg
        assertThat(settle(100, leg("1.33", "WON"), leg("1.33", "WON"), leg("1.33", "WON")))
                .isEqualTo(new Outcome(Verdict.WON, 235));
    }

    @Test
    void shouldLoseAnAccumulatorOnOneLostLegWhateverTheOthers() {
        assertThat(settle(1_000, leg("2.00", "WON"), leg("1.50", "LOST"), leg("3.10", "WON")))
                .isEqualTo(new Outcome(Verdict.LOST, 0));
        // a lost leg settles the bet even while another leg's market is still open
        assertThat(settle(1_000, leg("2.00", null), leg("1.50", "LOST"))).isEqualTo(new Outcome(Verdict.LOST, 0));
        assertThat(settle(1_000, leg("2.00", "VOID"), leg("1.50", "LOST"))).isEqualTo(new Outcome(Verdict.LOST, 0));
    }

    @Test
    void shouldCountAVoidLegOfAnAccumulatorAsOddsOne() {
        // the void leg drops out: 2.00 × 3.10 = 6.20
        assertThat(settle(1_000, leg("2.00", "WON"), leg("1.50", "VOID"), leg("3.10", "WON")))
                .isEqualTo(new Outcome(Verdict.WON, 6_200));
    }

    @Test
    void shouldKeepAnAccumulatorOpenUntilEveryLegIsSettled() {
        assertThat(settle(1_000, leg("2.00", "WON"), leg("1.50", null))).isEqualTo(new Outcome(Verdict.OPEN, 0));
        assertThat(settle(1_000, leg("2.00", "VOID"), leg("1.50", null))).isEqualTo(new Outcome(Verdict.OPEN, 0));
    }

    @Test
    void shouldVoidAnAccumulatorWhoseLegsAreAllVoidAndReturnItsStake() {
        assertThat(settle(1_000, leg("2.00", "VOID"), leg("1.50", "VOID"))).isEqualTo(new Outcome(Verdict.VOID, 1_000));
    }

    @Test
    void shouldTreatAVoidMarketAsVoidLegs() {
        // a voided market ({"voidMarket":true}) marks every leg on it VOID (SettleMarket): a single on it gets its
        // stake back, an accumulator with a leg on it is paid on the other legs
        assertThat(settle(2_000, leg("4.00", "VOID"))).isEqualTo(new Outcome(Verdict.VOID, 2_000));
        assertThat(settle(2_000, leg("4.00", "VOID"), leg("1.75", "WON"))).isEqualTo(new Outcome(Verdict.WON, 3_500));
    }

    @Test
    void shouldRefuseALegResultItDoesNotKnow() {
        assertThatThrownBy(() -> settle(1_000, leg("2.00", "HALF_WON")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HALF_WON");
    }

    @Test
    void shouldPayAWonBetWithoutOverflowAtTheLargestStakes() {
        long stake = 100_000_000_00L; // 100 million in minor units
        assertThat(calculator.outcome(MARKET, stake, List.of(leg("1000.00", "WON"))).payout())
                .isEqualTo(stake * 1_000);
    }
}
