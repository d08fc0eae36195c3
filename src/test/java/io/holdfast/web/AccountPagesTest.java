package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The bettor's wallet and settings pages for withdrawals, limits and a time-out; history pages back; late bets in the back office. */
@QuarkusTest
class AccountPagesTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void shouldWithdrawPageBackSetLimitsAndTakeATimeOutInTheBrowser() {
        Api.Bettor ida = Api.bettor(0);
        for (int i = 0; i < 55; i++) {
            Api.as(ida).body(Map.of("requestId", Api.unique("dep"), "amount", 200)).post("/api/wallet/deposits").then()
                    .statusCode(201);
        }
        long selection = Api.market("2.00", "2.00").selections().get(0);
        long firstBet = 0;
        for (int i = 0; i < 101; i++) {
            long id = Api.as(ida).body(Api.single(Api.unique("b"), 10, selection, "2.00", "ANY")).post("/api/bets").then()
                    .statusCode(201).extract().jsonPath().getLong("id");
            firstBet = i == 0 ? id : firstBet;
        }
        try (Browser bettor = new Browser(base.toString())) {
            bettor.logIn(ida.username(), ida.password());

            bettor.open("/my/wallet");
            bettor.type("#withdraw-amount", "20.00");
            bettor.click("#withdraw");
            bettor.await("the withdrawal", d -> bettor.text("#balance").equals("79.90") ? true : null);
            assertThat(bettor.text("#transactions tbody tr:first-child")).contains("WITHDRAWAL").contains("-20.00");
            // 55 deposits, 101 stakes and a withdrawal: three pages of 50, 50 and 50, then the first seven rows
            for (int page = 2; page <= 4; page++) {
                String url = bettor.driver().getCurrentUrl();
                bettor.click("#older-transactions");
                bettor.await("page " + page, d -> !d.getCurrentUrl().equals(url) ? true : null);
                assertThat(bettor.driver().getCurrentUrl()).contains("before=");
            }
            assertThat(bettor.all("#transactions tbody tr")).hasSize(7);
            assertThat(bettor.text("#transactions")).contains("DEPOSIT");
            assertThat(bettor.all("#older-transactions")).isEmpty();

            bettor.open("/my/bets");
            assertThat(bettor.all("#older-bets")).hasSize(1);
            bettor.click("#older-bets");
            bettor.await("the oldest bet", d -> d.getCurrentUrl().contains("before=") ? true : null);
            assertThat(bettor.all("#older-bets")).isEmpty();
            assertThat(Db.longValue("SELECT count(*) FROM bet WHERE account_id = ?", ida.id())).isEqualTo(101);

            bettor.open("/my/settings");
            bettor.type("#limit-day", "30.00");
            bettor.click("#save-deposit-limits");
            bettor.await("the deposit limit", d -> bettor.text("#deposit-day").equals("30.00") ? true : null);
            bettor.type("#limit-day", "90.00");
            bettor.click("#save-deposit-limits");
            bettor.await("the pending raise", d -> bettor.all("#pending-limits li").size() == 1 ? true : null);
            assertThat(bettor.text("#pending-limits")).contains("depositLimitDay").contains("90.00");
            assertThat(bettor.text("#deposit-day")).isEqualTo("30.00");

            new Select(bettor.find("#time-out-days")).selectByValue("7");
            bettor.click("#time-out-confirm");
            bettor.click("#take-time-out");
            bettor.await("the time-out", d -> bettor.all("#timed-out").size() == 1 ? true : null);
            bettor.open("/my/wallet");
            bettor.type("#deposit-amount", "5.00");
            bettor.click("#deposit");
            bettor.await("the refused deposit", d -> bettor.all(".flash.err").stream()
                    .anyMatch(e -> e.getText().contains("time-out")) ? true : null);
            bettor.type("#withdraw-amount", "9.90");
            bettor.click("#withdraw");
            bettor.await("a withdrawal during the time-out", d -> bettor.text("#balance").equals("70.00") ? true : null);
            bettor.assertClean("/my/wallet/deposit - Failed to load resource: the server responded with a status of 409");
        }
        Api.as(ida).get("/api/me").then().statusCode(200);
        assertThat(Db.ledgerSum(ida.id())).isEqualTo(Db.storedBalance(ida.id()));
    }

    @Test
    void shouldShowTheLateBetsAResultVoidedInTheBackOffice() throws Exception {
        Api.Bettor late = Api.bettor(10_000);
        Api.Market market = BettorJourneyTest.market(Api.event(Api.unique("Late Lads v Early Birds")), "Match result",
                "Late Lads", "2.00", "Early Birds", "2.00");
        String closedAt = Db.string("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
        Thread.sleep(20);
        Api.as(late).body(Api.single(Api.unique("b"), 500, market.selections().get(0), "2.00", "ANY")).post("/api/bets")
                .then().statusCode(201);
        Api.admin().body(Map.of("winners", List.of(market.selections().get(0)), "closedAt", closedAt))
                .post("/api/admin/markets/" + market.id() + "/result").then().statusCode(202);
        try (Browser admin = new Browser(base.toString())) {
            admin.logIn("admin", "admin");
            admin.await("the settled market", d -> {
                admin.open("/back-office/markets/" + market.id());
                return admin.text("#market-status").equals("SETTLED") ? true : null;
            });
            assertThat(admin.text("#late-bets-voided")).isEqualTo("1");
            admin.assertClean();
        }
        assertThat(Api.balance(late)).isEqualTo(10_000);
    }
}
