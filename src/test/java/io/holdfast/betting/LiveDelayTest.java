package io.holdfast.betting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/** The test profile's live delay is 2 s. */
@QuarkusTest
class LiveDelayTest {

    private static String status(Api.Bettor bettor, long betId) {
        return Api.as(bettor).get("/api/bets/" + betId).then().statusCode(200).extract().jsonPath().getString("status");
    }

    @Test
    void shouldHoldALiveBetForTheDelayThenAcceptIt() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.95", "1.95");
        Api.admin().post("/api/admin/events/" + market.eventId() + "/start").then().statusCode(200)
                .body("status", equalTo("LIVE"));

        var placed = Api.as(bettor).body(Api.single(Api.unique("live"), 1_000, market.selections().get(0), "1.95", "NONE"))
                .post("/api/bets").then().statusCode(201).body("status", equalTo("PENDING")).extract().jsonPath();
        long betId = placed.getLong("id");
        Instant placedAt = Instant.parse(placed.getString("placedAt"));
        Instant dueAt = Instant.parse(placed.getString("dueAt"));
        assertThat(Duration.between(placedAt, dueAt).toMillis()).isBetween(1_900L, 2_100L);
        assertThat(Api.balance(bettor)).isEqualTo(9_000); // the stake is taken at once

        assertThat(status(bettor, betId)).isEqualTo("PENDING");
        await().atMost(Duration.ofSeconds(10)).until(() -> !status(bettor, betId).equals("PENDING"));
        assertThat(status(bettor, betId)).isEqualTo("ACCEPTED");
        assertThat(Db.longValue("SELECT count(*) FROM bet WHERE id = ? AND decided_at >= due_at", betId)).isEqualTo(1);
        assertThat(Api.balance(bettor)).isEqualTo(9_000);
    }

    @Test
    void shouldRejectAndRefundALiveBetWhoseMarketWasSuspendedDuringTheDelay() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.95", "1.95");
        Api.admin().post("/api/admin/events/" + market.eventId() + "/start").then().statusCode(200);
        long betId = Api.as(bettor).body(Api.single(Api.unique("live"), 1_000, market.selections().get(0), "1.95", "NONE"))
                .post("/api/bets").then().statusCode(201).body("status", equalTo("PENDING"))
                .extract().jsonPath().getLong("id");

        Api.admin().post("/api/admin/markets/" + market.id() + "/suspend").then().statusCode(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> !status(bettor, betId).equals("PENDING"));
        Api.as(bettor).get("/api/bets/" + betId).then().body("status", equalTo("REJECTED"))
                .body("rejectReason", equalTo("MARKET_SUSPENDED"));
        assertThat(Api.balance(bettor)).isEqualTo(10_000);
        Api.as(bettor).get("/api/wallet/transactions").then().body("[0].type", equalTo("REFUND"))
                .body("[0].amount", equalTo(1_000)).body("[0].balanceAfter", equalTo(10_000));
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    @Test
    void shouldRejectALiveBetWhosePriceMovedAgainstThePolicyDuringTheDelay() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.95", "1.95");
        Api.admin().post("/api/admin/events/" + market.eventId() + "/start").then().statusCode(200);
        long selection = market.selections().get(0);
        long betId = Api.as(bettor).body(Api.single(Api.unique("live"), 1_000, selection, "1.95", "HIGHER"))
                .post("/api/bets").then().statusCode(201).extract().jsonPath().getLong("id");

        Api.admin().body(java.util.Map.of("odds", 1.70)).put("/api/admin/selections/" + selection + "/odds")
                .then().statusCode(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> !status(bettor, betId).equals("PENDING"));
        Api.as(bettor).get("/api/bets/" + betId).then().body("status", equalTo("REJECTED"))
                .body("rejectReason", equalTo("ODDS_CHANGED"));
        assertThat(Api.balance(bettor)).isEqualTo(10_000);
    }
}
