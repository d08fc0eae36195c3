package io.holdfast.betting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.holdfast.support.Http;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A cash-out racing its market's result and settlement, with real concurrency: every bet ends either cashed out
 * (one CASH_OUT row, no PAYOUT) or settled (a PAYOUT, no CASH_OUT), never both, and every ledger adds up.
 */
@QuarkusTest
class CashOutRaceTest {

    private static final Logger LOG = Logger.getLogger(CashOutRaceTest.class);
    private static final Api.Bettor ADMIN = new Api.Bettor(0, "admin", "admin");
    private static final Pattern QUOTE_ID = Pattern.compile("\"quoteId\":\"([^\"]+)\"");

    @Test
    void shouldPayEachBetByCashOutOrBySettlementNeverBoth() throws Exception {
        List<Api.Bettor> bettors = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            bettors.add(Api.bettor(100_000));
        }
        int cashedOut = 0;
        int settled = 0;
        for (int round = 0; round < 3; round++) {
            Api.Market market = Api.market("2.00", "1.90");
            long winner = market.selections().get(0);
            List<long[]> bets = new ArrayList<>(); // bet id, bettor index
            for (int i = 0; i < 24; i++) {
                int who = i % bettors.size();
                bets.add(new long[] { CashOutTest.bet(bettors.get(who), 1_000, winner, "2.00"), who });
            }
            List<Callable<Http.Answer>> race = new ArrayList<>();
            for (long[] bet : bets) {
                Api.Bettor bettor = bettors.get((int) bet[1]);
                // quote and take at once, as a bettor's client does; a quote refused because the result is in
                // already is the settlement's side of the race too
                race.add(() -> {
                    Http.Answer quote = Http.get(bettor, "/api/bets/" + bet[0] + "/cash-out");
                    Matcher id = QUOTE_ID.matcher(quote.body());
                    if (quote.status() != 200 || !id.find()) {
                        return quote;
                    }
                    return Http.post(bettor, "/api/bets/" + bet[0] + "/cash-out",
                            "{\"requestId\":\"" + Api.unique("race") + "\",\"quoteId\":\"" + id.group(1) + "\"}");
                });
            }
            // the result goes in among the cash-outs: at once, then a little later, then when many may be through
            long delay = new long[] { 0, 150, 400 }[round];
            int resultAt = race.size() / 2;
            race.add(resultAt, () -> {
                Thread.sleep(delay);
                return Http.post(ADMIN, "/api/admin/markets/" + market.id() + "/result", "{\"winners\":[" + winner + "]}");
            });

            List<Http.Answer> answers = Http.together(race);

            await().atMost(Duration.ofSeconds(20)).until(() -> "SETTLED".equals(Db.string(
                    "SELECT status FROM market WHERE id = ?", market.id())));
            int answer = 0;
            for (int i = 0; i < race.size(); i++) {
                Http.Answer a = answers.get(i);
                if (i == resultAt) {
                    assertThat(a.status()).isEqualTo(202);
                    continue;
                }
                long[] bet = bets.get(answer++);
                String status = Db.string("SELECT status FROM bet WHERE id = ?", bet[0]);
                long cashRows = CashOutTest.cashOutRows(bet[0]);
                long payoutRows = Db.longValue("SELECT count(*) FROM ledger_entry WHERE bet_id = ? AND type = 'PAYOUT' "
                        + "AND book = 'PLAYER'", bet[0]);
                if (a.status() == 200) {
                    assertThat(status).as("bet %d answered 200", bet[0]).isEqualTo("CASHED_OUT");
                    assertThat(a.body()).contains("\"payout\":950");
                    assertThat(cashRows).isEqualTo(1);
                    assertThat(payoutRows).isZero();
                    cashedOut++;
                } else {
                    assertThat(a.status()).as(a.body()).isEqualTo(409);
                    // a quote that outlived its validity on a loaded machine is refused too: the same side of the race
                    assertThat(a.body()).containsAnyOf("CASH_OUT_UNAVAILABLE", "QUOTE_EXPIRED");
                    assertThat(status).as("bet %d refused a cash-out", bet[0]).isEqualTo("WON");
                    assertThat(cashRows).isZero();
                    assertThat(payoutRows).isEqualTo(1);
                    settled++;
                }
            }
        }
        LOG.infof("Cash-out race: %d bets cashed out, %d paid by settlement", cashedOut, settled);
        assertThat(cashedOut + settled).isEqualTo(72);
        for (Api.Bettor bettor : bettors) {
            assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
            long expected = 100_000 - 18 * 1_000
                    + 950 * Db.longValue("SELECT count(*) FROM bet WHERE account_id = ? AND status = 'CASHED_OUT'", bettor.id())
                    + 2_000 * Db.longValue("SELECT count(*) FROM bet WHERE account_id = ? AND status = 'WON'", bettor.id());
            assertThat(Db.storedBalance(bettor.id())).isEqualTo(expected);
        }
        assertThat(Db.unbalancedJournals()).isZero();
        // both sides of the race happened: otherwise this test proved nothing about it
        assertThat(cashedOut).isPositive();
        assertThat(settled).isPositive();
    }
}
