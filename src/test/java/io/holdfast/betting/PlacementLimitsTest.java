package io.holdfast.betting;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PlacementLimitsTest {

    @Test
    void shouldRefuseAnAccumulatorWhosePayoutPassesALongAsPayoutTooHigh() {
        Api.Bettor bettor = Api.bettor(1_000_000);
        List<Map<String, Object>> legs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Api.Market market = Api.market("1000.00", "1.01");
            legs.add(Map.of("selectionId", market.selections().get(0), "odds", new BigDecimal("1000.00")));
        }
        Api.as(bettor).body(Map.of("requestId", Api.unique("acca"), "stake", 1_000_000, "oddsChange", "NONE",
                "legs", legs)).post("/api/bets").then().statusCode(422).body("code", equalTo("PAYOUT_TOO_HIGH"));
        Api.as(bettor).body(Map.of("requestId", Api.unique("acca"), "stake", 10, "oddsChange", "NONE",
                "legs", legs.subList(0, 7))).post("/api/bets").then().statusCode(422)
                .body("code", equalTo("PAYOUT_TOO_HIGH"));
        Api.as(bettor).get("/api/me").then().body("balance", equalTo(1_000_000));
    }

    @Test
    void shouldPageBetsAndTransactionsBackWithBefore() {
        Api.Bettor bettor = Api.bettor(10_000);
        long selection = Api.market("2.00", "2.00").selections().get(0);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(Api.as(bettor).body(Api.single(Api.unique("p"), 100, selection, "2.00", "ANY")).post("/api/bets")
                    .then().statusCode(201).extract().jsonPath().getInt("id"));
        }
        Api.as(bettor).get("/api/bets?limit=2").then().statusCode(200).body("id", contains(ids.get(4), ids.get(3)));
        Api.as(bettor).get("/api/bets?limit=2&before=" + ids.get(3)).then().statusCode(200)
                .body("id", contains(ids.get(2), ids.get(1)));
        Api.as(bettor).get("/api/bets?limit=2&before=" + ids.get(1)).then().body("id", contains(ids.get(0)));
        Api.as(bettor).get("/api/bets?before=" + ids.get(0)).then().body("$", empty());

        List<Integer> tx = Api.as(bettor).get("/api/wallet/transactions?limit=3").then().statusCode(200)
                .extract().jsonPath().getList("id");
        Api.as(bettor).get("/api/wallet/transactions?limit=3&before=" + tx.get(2)).then().statusCode(200)
                .body("type", contains("STAKE", "STAKE", "DEPOSIT"));
    }
}
