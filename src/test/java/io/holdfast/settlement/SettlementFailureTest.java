package io.holdfast.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SettlementFailureTest {

    @AfterEach
    void heal() {
        FaultySettlementCalculator.BROKEN_MARKETS.clear();
    }

    @Test
    void shouldFlagAMarketWhoseCalculationThrowsWhileBettingAndOtherSettlementsGoOn() {
        Api.Bettor bettor = Api.bettor(20_000);
        Api.Market broken = Api.market("2.00", "2.00");
        Api.Market healthy = Api.market("3.00", "1.50");
        Api.Market stillOpen = Api.market("1.80", "2.20");
        long onBroken = SettlementTest.bet(bettor, 1_000, broken.selections().get(0), "2.00");
        long onHealthy = SettlementTest.bet(bettor, 1_000, healthy.selections().get(0), "3.00");
        FaultySettlementCalculator.BROKEN_MARKETS.add(broken.id());

        SettlementTest.result(broken.id(), Map.of("winners", List.of(broken.selections().get(0))));
        await().atMost(Duration.ofSeconds(15)).until(() -> Api.admin().get("/api/admin/markets/" + broken.id())
                .then().extract().jsonPath().getString("status").equals("SETTLEMENT_FAILED"));
        Api.admin().get("/api/admin/markets/" + broken.id()).then()
                .body("settlementError", containsString("injected calculation fault"));

        // betting goes on, and other markets settle
        Api.as(bettor).body(Api.single(Api.unique("b"), 1_000, stillOpen.selections().get(0), "1.80", "NONE"))
                .post("/api/bets").then().statusCode(201).body("status", equalTo("ACCEPTED"));
        SettlementTest.result(healthy.id(), Map.of("winners", List.of(healthy.selections().get(0))));
        SettlementTest.awaitMarket(healthy.id(), "SETTLED", 1);
        Api.as(bettor).get("/api/bets/" + onHealthy).then().body("status", equalTo("WON")).body("payout", equalTo(3_000));
        assertThat(SettlementTest.betStatus(bettor, onBroken)).isEqualTo("ACCEPTED");

        // once the calculation is fixed, the retry settles the flagged market
        FaultySettlementCalculator.BROKEN_MARKETS.clear();
        SettlementTest.awaitMarket(broken.id(), "SETTLED", 1);
        Api.as(bettor).get("/api/bets/" + onBroken).then().body("status", equalTo("WON")).body("payout", equalTo(2_000));
        Api.admin().get("/api/admin/markets/" + broken.id()).then().body("settlementError", equalTo(null));
    }

    @Test
    void shouldSettleACorrectedResultOnAMarketWhoseSettlementFailed() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "3.00");
        long onFirst = SettlementTest.bet(bettor, 1_000, market.selections().get(0), "2.00");
        long onSecond = SettlementTest.bet(bettor, 1_000, market.selections().get(1), "3.00");
        FaultySettlementCalculator.BROKEN_MARKETS.add(market.id());
        SettlementTest.result(market.id(), Map.of("winners", List.of(market.selections().get(0))));
        await().atMost(Duration.ofSeconds(15)).until(() -> Api.admin().get("/api/admin/markets/" + market.id())
                .then().extract().jsonPath().getString("status").equals("SETTLEMENT_FAILED"));

        // the trader corrects the result (the calculation is fixed meanwhile): the new revision is settled
        FaultySettlementCalculator.BROKEN_MARKETS.clear();
        SettlementTest.result(market.id(), Map.of("winners", List.of(market.selections().get(1))));
        SettlementTest.awaitMarket(market.id(), "SETTLED", 2);

        Api.as(bettor).get("/api/bets/" + onFirst).then().body("status", equalTo("LOST"));
        Api.as(bettor).get("/api/bets/" + onSecond).then().body("status", equalTo("WON")).body("payout", equalTo(3_000));
        assertThat(Api.balance(bettor)).isEqualTo(10_000 - 2_000 + 3_000);
    }
}
