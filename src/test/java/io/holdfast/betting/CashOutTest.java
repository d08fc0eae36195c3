package io.holdfast.betting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Cash-out through the API of docs/API.md: exact quotes, what refuses one, idempotency, whose bet it is. */
@QuarkusTest
class CashOutTest {

    static long bet(Api.Bettor bettor, long stake, long selection, String odds) {
        return Api.as(bettor).body(Api.single(Api.unique("co"), stake, selection, odds, "NONE")).post("/api/bets")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static void price(long selection, String odds) {
        Api.admin().body(Map.of("odds", new java.math.BigDecimal(odds))).put("/api/admin/selections/" + selection + "/odds")
                .then().statusCode(200);
    }

    static JsonPath quote(Api.Bettor bettor, long betId) {
        return Api.as(bettor).get("/api/bets/" + betId + "/cash-out").then().statusCode(200)
                .contentType("application/json").body("quoteId", notNullValue()).body("validUntil", notNullValue())
                .extract().jsonPath();
    }

    static Map<String, Object> take(String requestId, String quoteId) {
        return Map.of("requestId", requestId, "quoteId", quoteId);
    }

    static long cashOutRows(long betId) {
        return Db.longValue("SELECT count(*) FROM ledger_entry WHERE bet_id = ? AND type = 'CASH_OUT' AND book = 'PLAYER'",
                betId);
    }

    @Test
    void shouldQuoteStakeTimesPriceTakenOverPriceNowLessTheMarginAndPayExactlyThatOnce() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "1.90");
        long selection = market.selections().get(0);
        long betId = bet(bettor, 1_000, selection, "2.00");
        price(selection, "2.50");

        JsonPath offer = quote(bettor, betId);
        // 1000 x 2.00 / 2.50 = 800, less the 5 % margin = 760
        assertThat(offer.getLong("amount")).isEqualTo(760);
        assertThat(Instant.parse(offer.getString("validUntil"))).isAfter(Instant.now().minusSeconds(1));
        String quoteId = offer.getString("quoteId");
        String requestId = Api.unique("cash");

        Api.as(bettor).body(take(requestId, quoteId)).post("/api/bets/" + betId + "/cash-out").then().statusCode(200)
                .body("id", equalTo((int) betId)).body("status", equalTo("CASHED_OUT")).body("payout", equalTo(760))
                .body("settledAt", notNullValue());
        assertThat(Api.balance(bettor)).isEqualTo(10_000 - 1_000 + 760);
        Api.as(bettor).get("/api/wallet/transactions").then().body("[0].type", equalTo("CASH_OUT"))
                .body("[0].amount", equalTo(760)).body("[0].balanceAfter", equalTo(9_760));

        // the same request again: the same answer, nothing paid twice
        Api.as(bettor).body(take(requestId, quoteId)).post("/api/bets/" + betId + "/cash-out").then().statusCode(200)
                .body("status", equalTo("CASHED_OUT")).body("payout", equalTo(760));
        assertThat(Api.balance(bettor)).isEqualTo(9_760);
        // another request for the same quote, or a new quote: the bet is out
        Api.as(bettor).body(take(Api.unique("cash"), quoteId)).post("/api/bets/" + betId + "/cash-out").then()
                .statusCode(409).contentType("application/problem+json").body("code", equalTo("CASH_OUT_UNAVAILABLE"));
        Api.as(bettor).get("/api/bets/" + betId + "/cash-out").then().statusCode(409)
                .body("code", equalTo("CASH_OUT_UNAVAILABLE"));
        // the same requestId for another quote is a different request
        long other = bet(bettor, 1_000, selection, "2.50");
        String otherQuote = quote(bettor, other).getString("quoteId");
        Api.as(bettor).body(take(requestId, otherQuote)).post("/api/bets/" + other + "/cash-out").then()
                .statusCode(409).body("code", equalTo("DUPLICATE_REQUEST_MISMATCH"));

        Api.as(bettor).get("/api/bets/" + betId).then().body("status", equalTo("CASHED_OUT")).body("payout", equalTo(760));
        Api.as(bettor).queryParam("status", "CASHED_OUT").get("/api/bets").then().statusCode(200)
                .body("size()", equalTo(1));
        assertThat(cashOutRows(betId)).isEqualTo(1);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
        assertThat(Db.unbalancedJournals()).isZero();
    }

    @Test
    void shouldPriceAnAccumulatorOnTheLegsStillOpenAndCountAWonLegAtItsOddsTaken() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market a = Api.market("2.00", "1.80");
        Api.Market b = Api.market("3.00", "1.40");
        long acca = Api.as(bettor).body(Map.of("requestId", Api.unique("acca"), "stake", 1_000, "oddsChange", "NONE",
                "legs", List.of(Map.of("selectionId", a.selections().get(0), "odds", 2.00),
                        Map.of("selectionId", b.selections().get(0), "odds", 3.00))))
                .post("/api/bets").then().statusCode(201).extract().jsonPath().getLong("id");
        price(a.selections().get(0), "2.50");
        // 1000 x 2.00 x 3.00 x 0.95 / (2.50 x 3.00) = 760
        assertThat(quote(bettor, acca).getLong("amount")).isEqualTo(760);

        Api.admin().body(Map.of("winners", List.of(a.selections().get(0)))).post("/api/admin/markets/" + a.id() + "/result")
                .then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> "WON".equals(Db.string(
                "SELECT result FROM bet_leg WHERE bet_id = ? AND market_id = ?", acca, a.id())));
        price(b.selections().get(0), "2.00");
        // leg a won at 2.00; leg b open, 3.00 taken, 2.00 now: 1000 x 2.00 x 3.00 x 0.95 / 2.00 = 2850
        String quoteId = quote(bettor, acca).getString("quoteId");
        Api.as(bettor).body(take(Api.unique("cash"), quoteId)).post("/api/bets/" + acca + "/cash-out").then()
                .statusCode(200).body("status", equalTo("CASHED_OUT")).body("payout", equalTo(2_850));
        assertThat(Api.balance(bettor)).isEqualTo(10_000 - 1_000 + 2_850);

        // the other market's result later pays nothing more: the bet is out
        Api.admin().body(Map.of("winners", List.of(b.selections().get(0)))).post("/api/admin/markets/" + b.id() + "/result")
                .then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> "SETTLED".equals(Db.string(
                "SELECT status FROM market WHERE id = ?", b.id())));
        Api.as(bettor).get("/api/bets/" + acca).then().body("status", equalTo("CASHED_OUT")).body("payout", equalTo(2_850));
        assertThat(Api.balance(bettor)).isEqualTo(11_850);
        assertThat(Db.longValue("SELECT count(*) FROM ledger_entry WHERE bet_id = ? AND type = 'PAYOUT'", acca)).isZero();
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    @Test
    void shouldRefuseWhileALegsMarketIsSuspendedAndQuoteAgainOnceItReopens() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "1.90");
        long betId = bet(bettor, 1_000, market.selections().get(0), "2.00");
        String quoteId = quote(bettor, betId).getString("quoteId");

        Api.admin().post("/api/admin/markets/" + market.id() + "/suspend").then().statusCode(200);
        Api.as(bettor).get("/api/bets/" + betId + "/cash-out").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("CASH_OUT_UNAVAILABLE"));
        Api.as(bettor).body(take(Api.unique("cash"), quoteId)).post("/api/bets/" + betId + "/cash-out").then()
                .statusCode(409).body("code", equalTo("CASH_OUT_UNAVAILABLE"));
        assertThat(cashOutRows(betId)).isZero();
        assertThat(Api.balance(bettor)).isEqualTo(9_000);

        Api.admin().post("/api/admin/markets/" + market.id() + "/resume").then().statusCode(200);
        // 1000 x 2.00 / 2.00 x 0.95
        String again = quote(bettor, betId).getString("quoteId");
        Api.as(bettor).body(take(Api.unique("cash"), again)).post("/api/bets/" + betId + "/cash-out").then()
                .statusCode(200).body("payout", equalTo(950));
    }

    @Test
    void shouldRefuseAnExpiredQuoteAndOneThePriceMovedAgainstButTakeOneItMovedFor() throws Exception {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "1.90");
        long selection = market.selections().get(0);
        long betId = bet(bettor, 1_000, selection, "2.00");

        String expiring = quote(bettor, betId).getString("quoteId");
        Thread.sleep(3_300); // the test profile's quote-ttl is 3 s
        Api.as(bettor).body(take(Api.unique("cash"), expiring)).post("/api/bets/" + betId + "/cash-out").then()
                .statusCode(409).contentType("application/problem+json").body("code", equalTo("QUOTE_EXPIRED"));

        String drifted = quote(bettor, betId).getString("quoteId"); // 950
        price(selection, "2.60"); // worth 730 now: less than quoted
        Api.as(bettor).body(take(Api.unique("cash"), drifted)).post("/api/bets/" + betId + "/cash-out").then()
                .statusCode(409).body("code", equalTo("ODDS_CHANGED"));

        JsonPath offer = quote(bettor, betId);
        assertThat(offer.getLong("amount")).isEqualTo(730);
        price(selection, "1.90"); // worth more now: the bettor gets what was quoted
        Api.as(bettor).body(take(Api.unique("cash"), offer.getString("quoteId"))).post("/api/bets/" + betId + "/cash-out")
                .then().statusCode(200).body("payout", equalTo(730));
        assertThat(Api.balance(bettor)).isEqualTo(9_730);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    @Test
    void shouldHideAnotherBettorsBetAndAskForCredentials() {
        Api.Bettor owner = Api.bettor(10_000);
        Api.Bettor snoop = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "1.90");
        long betId = bet(owner, 1_000, market.selections().get(0), "2.00");
        String quoteId = quote(owner, betId).getString("quoteId");

        Api.as(snoop).get("/api/bets/" + betId + "/cash-out").then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("NOT_FOUND"));
        Api.as(snoop).body(take(Api.unique("cash"), quoteId)).post("/api/bets/" + betId + "/cash-out").then()
                .statusCode(404).body("code", equalTo("NOT_FOUND"));
        Api.anonymous().get("/api/bets/" + betId + "/cash-out").then().statusCode(401);
        Api.admin().get("/api/bets/" + betId + "/cash-out").then().statusCode(403);
        // the snoop's own bet cannot take the owner's quote either
        long snoopBet = bet(snoop, 1_000, market.selections().get(0), "2.00");
        Api.as(snoop).body(take(Api.unique("cash"), quoteId)).post("/api/bets/" + snoopBet + "/cash-out").then()
                .statusCode(404).body("code", equalTo("NOT_FOUND"));
        Api.as(owner).get("/api/bets/" + betId).then().body("status", equalTo("ACCEPTED"));
        assertThat(Api.balance(owner)).isEqualTo(9_000);
    }

    @Test
    void shouldAnswerBadInputWithProblemJsonAndChangeNothing() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "1.90");
        long betId = bet(bettor, 1_000, market.selections().get(0), "2.00");
        String path = "/api/bets/" + betId + "/cash-out";

        Api.as(bettor).body(Map.of()).post(path).then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).body(Map.of("requestId", "r1")).post(path).then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).body(take("r1", "not-a-quote")).post(path).then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).body("{not json").post(path).then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).body(take("r1", "x".repeat(65))).post(path).then().statusCode(400);
        Api.as(bettor).body(take("r1", UUID.randomUUID().toString())).post(path).then().statusCode(404)
                .body("code", equalTo("NOT_FOUND"));
        Api.as(bettor).get("/api/bets/987654321/cash-out").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        Api.as(bettor).get("/api/bets/abc/cash-out").then().statusCode(404);

        // a settled bet has nothing to cash out
        Api.admin().body(Map.of("winners", List.of(market.selections().get(1))))
                .post("/api/admin/markets/" + market.id() + "/result").then().statusCode(202);
        Api.as(bettor).get(path).then().statusCode(409).body("code", equalTo("CASH_OUT_UNAVAILABLE"));
        assertThat(Db.longValue("SELECT count(*) FROM cash_out_quote WHERE bet_id = ?", betId)).isZero();
        assertThat(Api.balance(bettor)).isEqualTo(9_000);
    }

    @Test
    void shouldNotCashOutALiveBetStillInItsDelay() {
        Api.Bettor bettor = Api.bettor(10_000);
        long event = Api.event(Api.unique("Delay v Later"));
        Api.Market market = Api.market(event, "2.00", "1.90");
        Api.admin().post("/api/admin/events/" + event + "/start").then().statusCode(200);
        long betId = Api.as(bettor).body(Api.single(Api.unique("live"), 1_000, market.selections().get(0), "2.00", "NONE"))
                .post("/api/bets").then().statusCode(201).body("status", equalTo("PENDING")).extract().jsonPath()
                .getLong("id");
        Api.as(bettor).get("/api/bets/" + betId + "/cash-out").then().statusCode(409)
                .body("code", equalTo("CASH_OUT_UNAVAILABLE"));
        await().atMost(Duration.ofSeconds(15)).until(() -> "ACCEPTED".equals(Db.string(
                "SELECT status FROM bet WHERE id = ?", betId)));
        assertThat(quote(bettor, betId).getLong("amount")).isEqualTo(950);
    }
}
