package io.holdfast.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Settlement's transactions side by side on one market each take their own part of the bettors (account id modulo the
 * number of parts), so no two of them lock the same account: a batch of part 1 of 2 settles the bets of odd accounts
 * only, and part 0 the rest.
 */
@QuarkusTest
class PartitionedSettlementTest {

    @Inject
    SettlementRunner runner;

    @Inject
    SettleMarket settle;

    @Inject
    Results results;

    @Test
    void shouldSettleEachPartOfTheBettorsInItsOwnBatches() {
        Api.Market market = Api.market("2.00", "3.00");
        long winner = market.selections().get(0);
        List<Api.Bettor> bettors = new ArrayList<>();
        List<Long> bets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Api.Bettor bettor = Api.bettor(10_000);
            bettors.add(bettor);
            bets.add(SettlementTest.bet(bettor, 100, winner, "2.00"));
        }
        assertThat(bettors).extracting(b -> b.id() % 2).contains(0L, 1L);
        // held as in flight here: the scheduler leaves the market to this test
        assertThat(runner.claim(market.id())).isTrue();
        try {
            results.post("admin", market.id(), new long[] { winner }, new long[0], false);
            MarketResult result = results.latest(market.id()).orElseThrow();

            SettleMarket.Batch odd = settle.settleBatch(result, 0, 1, 2);
            assertThat(odd.bets()).isEqualTo((int) bettors.stream().filter(b -> b.id() % 2 == 1).count());
            for (int i = 0; i < bets.size(); i++) {
                assertThat(status(bets.get(i))).as("bet of account %d", bettors.get(i).id())
                        .isEqualTo(bettors.get(i).id() % 2 == 1 ? "WON" : "ACCEPTED");
            }
            assertThat(settle.finish(result)).as("part 0 still open").isFalse();

            assertThat(settle.settleBatch(result, 0, 0, 2).bets()).isEqualTo(bets.size() - odd.bets());
            assertThat(bets).allSatisfy(bet -> assertThat(status(bet)).isEqualTo("WON"));
            assertThat(settle.finish(result)).isTrue();
        } finally {
            runner.release(market.id());
        }
        for (Api.Bettor bettor : bettors) {
            assertThat(Api.balance(bettor)).isEqualTo(10_000 - 100 + 200);
        }
        assertThat(Db.unbalancedJournals()).isZero();
    }

    private static String status(long betId) {
        return Db.string("SELECT status FROM bet WHERE id = ?", betId);
    }
}
