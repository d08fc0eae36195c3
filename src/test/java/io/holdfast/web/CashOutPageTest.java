package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Cash-out on "My bets": a quote, accepted at the amount shown; refused once a leg's market is suspended. */
@QuarkusTest
class CashOutPageTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void shouldCashOutAtTheQuotedValueAndRefuseAfterASuspension() {
        Api.Bettor dan = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "1.90");
        Api.Market other = Api.market("3.00", "1.40");
        long cashed = Api.as(dan).body(Api.single(Api.unique("p"), 1_000, market.selections().get(0), "2.00", "NONE"))
                .post("/api/bets").then().statusCode(201).extract().jsonPath().getLong("id");
        long refused = Api.as(dan).body(Api.single(Api.unique("p"), 500, other.selections().get(0), "3.00", "NONE"))
                .post("/api/bets").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.admin().body(Map.of("odds", 2.50)).put("/api/admin/selections/" + market.selections().get(0) + "/odds").then()
                .statusCode(200);

        try (Browser bettor = new Browser(base.toString())) {
            bettor.logIn(dan.username(), dan.password());
            bettor.open("/my/bets");
            bettor.click("#cash-out-ask-" + cashed);
            // 10.00 x 2.00 / 2.50, less 5 %
            bettor.await("a quote", d -> bettor.all("#cash-out-" + cashed + " .cash-out-amount").isEmpty() ? null : true);
            assertThat(bettor.text("#cash-out-" + cashed + " .cash-out-amount")).isEqualTo("7.60");
            bettor.screenshot("cash-out-quote");
            bettor.click("#cash-out-take-" + cashed);
            bettor.await("cashed out", d -> bettor.all("#cash-out-" + cashed + " .cash-out-done").isEmpty() ? null : true);
            assertThat(bettor.text("#cash-out-" + cashed + " .cash-out-paid")).isEqualTo("7.60");
            assertThat(Api.balance(dan)).isEqualTo(10_000 - 1_000 - 500 + 760);
            assertThat(Db.ledgerSum(dan.id())).isEqualTo(Db.storedBalance(dan.id()));

            // a quote shown, then the market suspended: accepting it is refused and nothing is paid
            bettor.click("#cash-out-ask-" + refused);
            bettor.await("a quote", d -> bettor.all("#cash-out-" + refused + " .cash-out-amount").isEmpty() ? null : true);
            assertThat(bettor.text("#cash-out-" + refused + " .cash-out-amount")).isEqualTo("4.75");
            Api.admin().post("/api/admin/markets/" + other.id() + "/suspend").then().statusCode(200);
            bettor.click("#cash-out-take-" + refused);
            bettor.await("refused", d -> bettor.all("#cash-out-" + refused + " .cash-out-refused").isEmpty() ? null : true);
            assertThat(bettor.find("#cash-out-" + refused + " .cash-out-refused").getAttribute("data-code"))
                    .isEqualTo("CASH_OUT_UNAVAILABLE");
            // asking again while it is suspended is refused too
            bettor.click("#cash-out-ask-" + refused);
            bettor.await("refused again", d -> bettor.all("#cash-out-" + refused + " .cash-out-amount").isEmpty()
                    && !bettor.all("#cash-out-" + refused + " .cash-out-refused").isEmpty() ? true : null);
            assertThat(Api.balance(dan)).isEqualTo(9_260);

            // the cashed-out bet is settled, with what it paid; the other one is still open
            bettor.open("/my/bets");
            assertThat(bettor.all("#settled-bets tr.bet.CASHED_OUT[data-bet='" + cashed + "']")).hasSize(1);
            assertThat(bettor.text("#settled-bets tr[data-bet='" + cashed + "'] .payout-amount")).isEqualTo("7.60");
            assertThat(bettor.all("#open-bets tr[data-bet='" + refused + "']")).hasSize(1);
            bettor.screenshot("my-bets-cash-out");
            bettor.assertClean();
        }
    }
}
