package io.holdfast.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SettlementTest {

    static long bet(Api.Bettor bettor, long stake, long selection, String odds) {
        return Api.as(bettor).body(Api.single(Api.unique("b"), stake, selection, odds, "NONE")).post("/api/bets")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static void result(long marketId, Map<String, Object> body) {
        Api.admin().body(body).post("/api/admin/markets/" + marketId + "/result").then().statusCode(202);
    }

    static void awaitMarket(long marketId, String status, int revision) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            var json = Api.admin().get("/api/admin/markets/" + marketId).then().statusCode(200).extract().jsonPath();
            return json.getString("status").equals(status) && json.getInt("settledRevision") == revision;
        });
    }

    static String betStatus(Api.Bettor bettor, long betId) {
        return Api.as(bettor).get("/api/bets/" + betId).then().extract().jsonPath().getString("status");
    }

    @Test
    void shouldPayWinnersRefundVoidsAndNothingToLosersOnce() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.50", "3.00", "2.80");
        long won = bet(bettor, 1_000, market.selections().get(0), "2.50");
        long lost = bet(bettor, 1_000, market.selections().get(1), "3.00");
        long voided = bet(bettor, 1_000, market.selections().get(2), "2.80");

        result(market.id(), Map.of("winners", List.of(market.selections().get(0)), "void", List.of(market.selections().get(2))));
        awaitMarket(market.id(), "SETTLED", 1);

        Api.as(bettor).get("/api/bets/" + won).then().body("status", equalTo("WON")).body("payout", equalTo(2_500))
                .body("legs[0].result", equalTo("WON"));
        Api.as(bettor).get("/api/bets/" + lost).then().body("status", equalTo("LOST")).body("payout", equalTo(0));
        Api.as(bettor).get("/api/bets/" + voided).then().body("status", equalTo("VOID")).body("payout", equalTo(1_000));
        assertThat(Api.balance(bettor)).isEqualTo(10_000 - 3_000 + 2_500 + 1_000);

        // the same result again: no new revision, nothing more paid
        Api.admin().body(Map.of("winners", List.of(market.selections().get(0)), "void", List.of(market.selections().get(2))))
                .post("/api/admin/markets/" + market.id() + "/result").then().statusCode(202)
                .body("revision", equalTo(1)).body("newRevision", equalTo(false));
        Api.admin().get("/api/admin/markets/" + market.id()).then().body("status", equalTo("SETTLED"));
        assertThat(Api.balance(bettor)).isEqualTo(10_500);
        assertThat(Db.longValue("SELECT count(*) FROM ledger_entry WHERE account_id = ? AND type = 'PAYOUT'", bettor.id()))
                .isEqualTo(2);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    @Test
    void shouldSettleAnAccumulatorWithAVoidLegAtTheOtherLegsOdds() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market a = Api.market("1.50", "2.50");
        Api.Market b = Api.market("2.10", "1.70");
        Api.Market c = Api.market("3.30", "1.30");
        long acca = Api.as(bettor).body(Map.of("requestId", Api.unique("acca"), "stake", 1_000, "oddsChange", "NONE",
                "legs", List.of(Map.of("selectionId", a.selections().get(0), "odds", 1.50),
                        Map.of("selectionId", b.selections().get(0), "odds", 2.10),
                        Map.of("selectionId", c.selections().get(0), "odds", 3.30))))
                .post("/api/bets").then().statusCode(201).body("potentialPayout", equalTo(10_395))
                .extract().jsonPath().getLong("id");

        result(a.id(), Map.of("winners", List.of(a.selections().get(0))));
        awaitMarket(a.id(), "SETTLED", 1);
        assertThat(betStatus(bettor, acca)).isEqualTo("ACCEPTED"); // two legs still open
        result(b.id(), Map.of("voidMarket", true));
        awaitMarket(b.id(), "VOID", 1);
        result(c.id(), Map.of("winners", List.of(c.selections().get(0))));
        awaitMarket(c.id(), "SETTLED", 1);

        // 1000 x 1.50 x 1.00 x 3.30 = 4950
        Api.as(bettor).get("/api/bets/" + acca).then().body("status", equalTo("WON")).body("payout", equalTo(4_950))
                .body("legs.result", equalTo(List.of("WON", "VOID", "WON")));
        assertThat(Api.balance(bettor)).isEqualTo(10_000 - 1_000 + 4_950);
    }

    @Test
    void shouldLoseAnAccumulatorOnOneLostLegWithoutWaitingForTheOthers() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market a = Api.market("1.50", "2.50");
        Api.Market b = Api.market("2.10", "1.70");
        long acca = Api.as(bettor).body(Map.of("requestId", Api.unique("acca"), "stake", 1_000,
                "legs", List.of(Map.of("selectionId", a.selections().get(0), "odds", 1.50),
                        Map.of("selectionId", b.selections().get(0), "odds", 2.10))))
                .post("/api/bets").then().statusCode(201).extract().jsonPath().getLong("id");

        result(a.id(), Map.of("winners", List.of(a.selections().get(1))));
        awaitMarket(a.id(), "SETTLED", 1);

        Api.as(bettor).get("/api/bets/" + acca).then().body("status", equalTo("LOST")).body("payout", equalTo(0));
    }

    @Test
    void shouldResettleACorrectedResultWithAReversalAndANewPayout() {
        Api.Bettor onHome = Api.bettor(10_000);
        Api.Bettor onAway = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "4.00");
        long homeBet = bet(onHome, 1_000, market.selections().get(0), "2.00");
        long awayBet = bet(onAway, 1_000, market.selections().get(1), "4.00");

        result(market.id(), Map.of("winners", List.of(market.selections().get(0))));
        awaitMarket(market.id(), "SETTLED", 1);
        assertThat(Api.balance(onHome)).isEqualTo(11_000);
        assertThat(Api.balance(onAway)).isEqualTo(9_000);

        Api.admin().body(Map.of("winners", List.of(market.selections().get(1))))
                .post("/api/admin/markets/" + market.id() + "/result").then().statusCode(202)
                .body("revision", equalTo(2)).body("newRevision", equalTo(true));
        awaitMarket(market.id(), "SETTLED", 2);

        Api.as(onHome).get("/api/bets/" + homeBet).then().body("status", equalTo("LOST")).body("payout", equalTo(0));
        Api.as(onAway).get("/api/bets/" + awayBet).then().body("status", equalTo("WON")).body("payout", equalTo(4_000));
        assertThat(Api.balance(onHome)).isEqualTo(9_000);
        assertThat(Api.balance(onAway)).isEqualTo(13_000);
        Api.as(onHome).get("/api/wallet/transactions").then()
                .body("type", equalTo(List.of("REVERSAL", "PAYOUT", "STAKE", "DEPOSIT")))
                .body("amount", equalTo(List.of(-2_000, 2_000, -1_000, 10_000)));
        Api.admin().get("/api/admin/audit").then().body("action", org.hamcrest.Matchers.hasItem("RESULT_CORRECTED"));
        for (Api.Bettor b : List.of(onHome, onAway)) {
            assertThat(Db.ledgerSum(b.id())).isEqualTo(Db.storedBalance(b.id()));
        }
        assertThat(Db.unbalancedJournals()).isZero();
    }

    @Test
    void shouldShowLiabilityPerSelectionOfAnOpenMarket() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "4.00");
        bet(bettor, 1_000, market.selections().get(0), "2.00");
        bet(bettor, 500, market.selections().get(0), "2.00");
        bet(bettor, 300, market.selections().get(1), "4.00");

        Api.admin().get("/api/admin/markets/" + market.id()).then().statusCode(200)
                .body("status", equalTo("OPEN"))
                .body("selections[0].liability", equalTo(3_000)).body("selections[0].openBets", equalTo(2))
                .body("selections[1].liability", equalTo(1_200)).body("selections[1].stakes", equalTo(300));
    }

    @Test
    void shouldRefuseAResultNamingASelectionOfAnotherMarket() {
        Api.Market market = Api.market("2.00", "4.00");
        Api.Market other = Api.market("2.00", "4.00");
        Api.admin().body(Map.of("winners", List.of(other.selections().get(0))))
                .post("/api/admin/markets/" + market.id() + "/result").then().statusCode(422)
                .body("code", equalTo("VALIDATION_FAILED"));
        Api.admin().get("/api/admin/markets/" + market.id()).then().body("status", equalTo("OPEN"))
                .body("resultRevision", equalTo(0));
    }
}
