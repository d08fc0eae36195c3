package io.holdfast.betting;

import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class OddsChangeTest {

    private static void reprice(long selectionId, String odds) {
        Api.admin().body(Map.of("odds", new java.math.BigDecimal(odds)))
                .put("/api/admin/selections/" + selectionId + "/odds").then().statusCode(200);
    }

    @Test
    void shouldRefuseAMovedPriceUnderPolicyNoneAndChargeNothing() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.50", "1.60");
        long selection = market.selections().get(0);
        reprice(selection, "2.60");

        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000, selection, "2.50", "NONE")).post("/api/bets")
                .then().statusCode(409).contentType("application/problem+json").body("code", equalTo("ODDS_CHANGED"));
        Api.as(bettor).get("/api/me").then().body("balance", equalTo(10_000));
    }

    @Test
    void shouldTakeABetterPriceUnderPolicyHigherButNotAWorseOne() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.50", "1.60");
        long selection = market.selections().get(0);
        reprice(selection, "2.75");

        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000, selection, "2.50", "HIGHER")).post("/api/bets")
                .then().statusCode(201).body("odds", equalTo(2.75f)).body("potentialPayout", equalTo(2750))
                .body("legs[0].version", equalTo(2));
        reprice(selection, "2.20");
        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000, selection, "2.75", "HIGHER")).post("/api/bets")
                .then().statusCode(409).body("code", equalTo("ODDS_CHANGED"));
    }

    @Test
    void shouldTakeAnyPriceUnderPolicyAny() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.50", "1.60");
        long selection = market.selections().get(0);
        reprice(selection, "2.05");

        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000, selection, "2.50", "ANY")).post("/api/bets")
                .then().statusCode(201).body("odds", equalTo(2.05f)).body("potentialPayout", equalTo(2050));
    }

    @Test
    void shouldRefuseBetOnSuspendedMarketAndTakeItAfterResume() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.90", "1.90");
        Api.admin().post("/api/admin/markets/" + market.id() + "/suspend").then().statusCode(200)
                .body("status", equalTo("SUSPENDED"));

        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000, market.selections().get(0), "1.90", "ANY"))
                .post("/api/bets").then().statusCode(409).body("code", equalTo("MARKET_SUSPENDED"));
        Api.as(bettor).get("/api/me").then().body("balance", equalTo(10_000));

        Api.admin().post("/api/admin/markets/" + market.id() + "/resume").then().statusCode(200)
                .body("status", equalTo("OPEN"));
        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000, market.selections().get(0), "1.90", "ANY"))
                .post("/api/bets").then().statusCode(201).body("status", equalTo("ACCEPTED"));
    }

    @Test
    void shouldRefuseBetOnFinishedEvent() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.90", "1.90");
        Api.admin().post("/api/admin/events/" + market.eventId() + "/finish").then().statusCode(200)
                .body("status", equalTo("FINISHED")).body("markets[0].status", equalTo("CLOSED"));

        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000, market.selections().get(0), "1.90", "ANY"))
                .post("/api/bets").then().statusCode(409).body("code", equalTo("MARKET_CLOSED"));
    }

    @Test
    void shouldPriceAnAccumulatorAsTheProductOfItsLegs() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market first = Api.market("1.50", "2.50");
        Api.Market second = Api.market("2.10", "1.70");
        Map<String, Object> acca = Map.of("requestId", Api.unique("acca"), "stake", 1_000, "oddsChange", "NONE",
                "legs", List.of(Map.of("selectionId", first.selections().get(0), "odds", 1.50),
                        Map.of("selectionId", second.selections().get(0), "odds", 2.10)));

        Api.as(bettor).body(acca).post("/api/bets").then().statusCode(201)
                .body("odds", equalTo(3.15f)).body("potentialPayout", equalTo(3150)).body("legs.size()", equalTo(2));
    }

    @Test
    void shouldRefuseAccumulatorLegsOnOneEventOrOneMarket() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.50", "2.50");
        Api.Market sameEvent = Api.market(market.eventId(), "1.80", "2.00");
        Map<String, Object> sameMarket = Map.of("requestId", Api.unique("acca"), "stake", 1_000,
                "legs", List.of(Map.of("selectionId", market.selections().get(0), "odds", 1.50),
                        Map.of("selectionId", market.selections().get(1), "odds", 2.50)));
        Map<String, Object> oneEvent = Map.of("requestId", Api.unique("acca"), "stake", 1_000,
                "legs", List.of(Map.of("selectionId", market.selections().get(0), "odds", 1.50),
                        Map.of("selectionId", sameEvent.selections().get(0), "odds", 1.80)));

        Api.as(bettor).body(sameMarket).post("/api/bets").then().statusCode(422).body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).body(oneEvent).post("/api/bets").then().statusCode(422).body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).get("/api/me").then().body("balance", equalTo(10_000));
    }
}
