package io.holdfast.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Every endpoint of docs/API.md implemented so far, with its status codes and error codes. */
@QuarkusTest
class ApiContractTest {

    @Test
    void shouldSignUpAndRefuseATakenOrInvalidUsername() {
        String name = Api.unique("carol").replace('-', '_');
        Api.anonymous().body(Map.of("username", name, "password", "long-enough-1")).post("/api/accounts").then()
                .statusCode(201).body("id", notNullValue()).body("username", equalTo(name));
        Api.anonymous().body(Map.of("username", name.toUpperCase(), "password", "long-enough-1")).post("/api/accounts")
                .then().statusCode(409).contentType("application/problem+json").body("code", equalTo("USERNAME_TAKEN"));
        Api.anonymous().body(Map.of("username", "<b>x</b>", "password", "short")).post("/api/accounts").then()
                .statusCode(400).contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"))
                .body("detail", containsString("password"));
        Api.anonymous().body("{not json").post("/api/accounts").then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"));
    }

    @Test
    void shouldShowMeAndCreditADepositOncePerRequestId() {
        Api.Bettor bettor = Api.bettor(0);
        Api.as(bettor).get("/api/me").then().statusCode(200).body("id", equalTo((int) bettor.id()))
                .body("username", equalTo(bettor.username())).body("balance", equalTo(0))
                .body("currency", equalTo("EUR")).body("status", equalTo("ACTIVE"));
        Api.as(bettor).body(Map.of("requestId", "dep-1", "amount", 2_500)).post("/api/wallet/deposits").then()
                .statusCode(201).body("balance", equalTo(2_500));
        Api.as(bettor).body(Map.of("requestId", "dep-1", "amount", 2_500)).post("/api/wallet/deposits").then()
                .statusCode(200).body("balance", equalTo(2_500));
        Api.as(bettor).body(Map.of("requestId", "dep-1", "amount", 9_999)).post("/api/wallet/deposits").then()
                .statusCode(409).body("code", equalTo("DUPLICATE_REQUEST_MISMATCH"));
        Api.as(bettor).body(Map.of("requestId", "dep-2", "amount", -5)).post("/api/wallet/deposits").then()
                .statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).get("/api/wallet/transactions").then().statusCode(200).body("size()", equalTo(1))
                .body("[0].type", equalTo("DEPOSIT")).body("[0].amount", equalTo(2_500))
                .body("[0].balanceAfter", equalTo(2_500)).body("[0]", hasKey("id")).body("[0]", hasKey("reference"))
                .body("[0]", hasKey("at"));
    }

    @Test
    void shouldListEventsWithMarketsAndSelections() {
        Api.Market market = Api.market("1.25", "4.50");
        Api.anonymous().get("/api/events/" + market.eventId()).then().statusCode(200)
                .body("status", equalTo("SCHEDULED")).body("startsAt", equalTo("2030-01-01T18:00:00Z"))
                .body("markets[0].id", equalTo((int) market.id())).body("markets[0].status", equalTo("OPEN"))
                .body("markets[0].selections[1].odds", equalTo(4.50f))
                .body("markets[0].selections[1].version", equalTo(1))
                .body("markets[0].selections[1]", hasKey("name"));
        Api.anonymous().queryParam("status", "SCHEDULED").get("/api/events").then().statusCode(200)
                .body("id", hasItem((int) market.eventId())).body("status", everyItem(equalTo("SCHEDULED")));
        Api.anonymous().queryParam("status", "LIVE").get("/api/events").then().statusCode(200)
                .body("id", not(hasItem((int) market.eventId())));
        Api.anonymous().queryParam("status", "SOON").get("/api/events").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
        Api.anonymous().get("/api/events/999999999").then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void shouldAnswerBetsWithTheDocumentedShape() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.25", "4.50");
        long id = Api.as(bettor).body(Api.single("shape-1", 400, market.selections().get(1), "4.50", "NONE"))
                .post("/api/bets").then().statusCode(201)
                .body("requestId", equalTo("shape-1")).body("status", equalTo("ACCEPTED"))
                .body("stake", equalTo(400)).body("odds", equalTo(4.50f)).body("potentialPayout", equalTo(1_800))
                .body("payout", equalTo(null)).body("placedAt", notNullValue()).body("settledAt", equalTo(null))
                .body("legs[0].selectionId", equalTo(market.selections().get(1).intValue()))
                .body("legs[0].odds", equalTo(4.50f)).body("legs[0].version", equalTo(1))
                .body("legs[0].result", equalTo(null))
                .extract().jsonPath().getLong("id");
        Api.as(bettor).get("/api/bets").then().statusCode(200).body("[0].id", equalTo((int) id));
        Api.as(bettor).queryParam("status", "WON").get("/api/bets").then().statusCode(200).body("size()", equalTo(0));
        Api.as(bettor).get("/api/bets/" + id).then().statusCode(200).body("id", equalTo((int) id));
        Api.as(bettor).body(Map.of("requestId", "x", "stake", 100, "legs", List.of())).post("/api/bets").then()
                .statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).body(Api.single("unknown-sel", 100, 987654321L, "2.00", "NONE")).post("/api/bets").then()
                .statusCode(422).body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void shouldEnforceStakeAndPayoutLimitsAndAccountStatus() {
        Api.Bettor bettor = Api.bettor(5_000_000);
        Api.Market market = Api.market("900.00", "1.01");
        long longShot = market.selections().get(0);
        Api.as(bettor).body(Api.single(Api.unique("r"), 5, longShot, "900.00", "ANY")).post("/api/bets").then()
                .statusCode(422).body("code", equalTo("STAKE_TOO_LOW"));
        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000_001, longShot, "900.00", "ANY")).post("/api/bets").then()
                .statusCode(422).body("code", equalTo("STAKE_TOO_HIGH"));
        Api.as(bettor).body(Api.single(Api.unique("r"), 100_000, longShot, "900.00", "ANY")).post("/api/bets").then()
                .statusCode(422).body("code", equalTo("PAYOUT_TOO_HIGH"));

        Api.as(bettor).body(Map.of("dailyStakeLimit", 1_500)).put("/api/me/limits").then().statusCode(200)
                .body("dailyStakeLimit", equalTo(1_500));
        long favourite = market.selections().get(1);
        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000, favourite, "1.01", "ANY")).post("/api/bets").then()
                .statusCode(201);
        Api.as(bettor).body(Api.single(Api.unique("r"), 1_000, favourite, "1.01", "ANY")).post("/api/bets").then()
                .statusCode(409).body("code", equalTo("LIMIT_EXCEEDED"));

        Api.admin().body(Map.of("status", "BLOCKED")).post("/api/admin/accounts/" + bettor.id() + "/status").then()
                .statusCode(200).body("status", equalTo("BLOCKED"));
        Api.as(bettor).body(Api.single(Api.unique("r"), 100, favourite, "1.01", "ANY")).post("/api/bets").then()
                .statusCode(409).body("code", equalTo("ACCOUNT_BLOCKED"));
        Api.admin().body(Map.of("status", "SELF_EXCLUDED")).post("/api/admin/accounts/" + bettor.id() + "/status")
                .then().statusCode(200);
        Api.as(bettor).body(Api.single(Api.unique("r"), 100, favourite, "1.01", "ANY")).post("/api/bets").then()
                .statusCode(409).body("code", equalTo("SELF_EXCLUDED"));
        Api.admin().body(Map.of("status", "DORMANT")).post("/api/admin/accounts/" + bettor.id() + "/status").then()
                .statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
        Api.admin().get("/api/admin/accounts/" + bettor.id()).then().statusCode(200)
                .body("balance", equalTo(5_000_000 - 1_000)).body("status", equalTo("SELF_EXCLUDED"));
        Api.admin().get("/api/admin/audit").then().statusCode(200).body("[0].action", equalTo("ACCOUNT_STATUS"))
                .body("[0].actor", equalTo("admin")).body("[0]", hasKey("at")).body("[0]", hasKey("details"));
    }

    @Test
    void shouldRunTheAdminOddsEndpoints() {
        long eventId = Api.event("Admin flow");
        Api.Market market = Api.market(eventId, "2.00", "1.80");
        Api.admin().body(Map.of("odds", 2.20)).put("/api/admin/selections/" + market.selections().get(0) + "/odds")
                .then().statusCode(200).body("odds", equalTo(2.20f)).body("version", equalTo(2));
        Api.admin().body(Map.of("odds", 0.5)).put("/api/admin/selections/" + market.selections().get(0) + "/odds")
                .then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
        Api.admin().body(Map.of("odds", 2.005)).put("/api/admin/selections/" + market.selections().get(0) + "/odds")
                .then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
        Api.admin().post("/api/admin/markets/" + market.id() + "/suspend").then().statusCode(200)
                .body("status", equalTo("SUSPENDED"));
        Api.admin().post("/api/admin/markets/" + market.id() + "/resume").then().statusCode(200)
                .body("status", equalTo("OPEN"));
        Api.admin().post("/api/admin/events/" + eventId + "/start").then().statusCode(200).body("status", equalTo("LIVE"));
        Api.admin().post("/api/admin/events/" + eventId + "/finish").then().statusCode(200)
                .body("status", equalTo("FINISHED"));
        Api.admin().post("/api/admin/events/" + eventId + "/start").then().statusCode(409)
                .body("code", equalTo("INVALID_STATE"));
        Api.admin().post("/api/admin/markets/987654321/suspend").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        Api.admin().body(Map.of("name", "", "startsAt", "tomorrow")).post("/api/admin/events").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
        Api.admin().get("/api/admin/audit").then().body("action", hasItem("ODDS_CHANGED"));
        Api.anonymous().get("/api/events/" + eventId).then().body("markets[0].status", equalTo("CLOSED"));
    }

    @Test
    void shouldFileAnEventUnderItsSportAndCompetitionAndNameItsSource() {
        Api.admin().body(Map.of("name", "Lyon v Nice", "startsAt", "2030-01-01T18:00:00Z", "sport", " Football ",
                "competition", "Ligue 1")).post("/api/admin/events").then().statusCode(201)
                .body("sport", equalTo("Football")).body("competition", equalTo("Ligue 1"))
                .body("source", equalTo("MANUAL")).body("producer", equalTo(null));
        long eventId = Api.event("Unfiled");
        Api.market(eventId, "2.00", "1.80");
        Api.anonymous().get("/api/events/" + eventId).then().statusCode(200).body("sport", equalTo("Other"))
                .body("competition", equalTo("Other")).body("markets[0].source", equalTo("MANUAL"));
        Api.admin().body(Map.of("name", "x", "startsAt", "2030-01-01T18:00:00Z", "sport", "  "))
                .post("/api/admin/events").then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
    }

    @Test
    void shouldAskForCredentialsAndCheckRolesOnEveryAdminAndOpsPath() {
        Api.Bettor bettor = Api.bettor(0);
        Api.anonymous().get("/api/me").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Basic")).body("code", equalTo("UNAUTHORIZED"));
        Api.anonymous().auth().preemptive().basic(bettor.username(), "wrong-password").get("/api/me").then()
                .statusCode(401).body("code", equalTo("UNAUTHORIZED"));
        for (String path : List.of("/api/admin/audit", "/api/admin/accounts/1", "/api/admin/markets/1",
                "/api/ops/cluster")) {
            Api.as(bettor).get(path).then().statusCode(403).contentType("application/problem+json")
                    .body("code", equalTo("FORBIDDEN"));
        }
        Api.as(bettor).body(Map.of("name", "x", "startsAt", "2030-01-01T00:00:00Z")).post("/api/admin/events").then()
                .statusCode(403);
        Api.as(bettor).body(Map.of("target", "node-b")).post("/api/ops/switchover").then().statusCode(403);
        Api.ops().get("/api/admin/audit").then().statusCode(403);
        Api.admin().get("/api/ops/cluster").then().statusCode(403);
        Api.admin().body(Map.of("requestId", "r", "amount", 10)).post("/api/wallet/deposits").then().statusCode(403);
    }

    @Test
    void shouldHideAnotherBettorsBet() {
        Api.Bettor owner = Api.bettor(10_000);
        Api.Bettor snoop = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "2.00");
        long id = Api.as(owner).body(Api.single(Api.unique("mine"), 100, market.selections().get(0), "2.00", "NONE"))
                .post("/api/bets").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.as(snoop).get("/api/bets/" + id).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        Api.as(snoop).get("/api/bets").then().statusCode(200).body("id", not(hasItem((int) id)));
    }

    @Test
    void shouldLogInWithASessionCookieAndOut() {
        Api.Bettor bettor = Api.bettor(1_000);
        var login = Api.anonymous().body(Map.of("username", bettor.username(), "password", bettor.password()))
                .post("/api/session").then().statusCode(200).body("username", equalTo(bettor.username()))
                .body("roles", hasItem("bettor")).extract();
        String cookie = login.cookie("holdfast-session");
        given().cookie("holdfast-session", cookie).accept(ContentType.JSON).get("/api/me").then().statusCode(200)
                .body("balance", equalTo(1_000));
        given().cookie("holdfast-session", "forged-value").get("/api/me").then().statusCode(401);
        Api.anonymous().body(Map.of("username", bettor.username(), "password", "nope-nope")).post("/api/session").then()
                .statusCode(401).body("code", equalTo("UNAUTHORIZED"));
        given().cookie("holdfast-session", cookie).delete("/api/session").then().statusCode(204)
                .header("Set-Cookie", containsString("holdfast-session="));
    }

    @Test
    void shouldSlowDownRepeatedFailedLogins() {
        Api.Bettor bettor = Api.bettor(0);
        for (int i = 0; i < 5; i++) {
            Api.anonymous().auth().preemptive().basic(bettor.username(), "bad-" + i).get("/api/me").then().statusCode(401);
        }
        Api.anonymous().auth().preemptive().basic(bettor.username(), bettor.password()).get("/api/me").then()
                .statusCode(429).header("Retry-After", notNullValue()).body("code", equalTo("RATE_LIMITED"));
    }

    @Test
    void shouldShowTheClusterToOps() {
        Api.ops().get("/api/ops/cluster").then().statusCode(200)
                .body("epoch", equalTo((int) Db.longValue("SELECT epoch FROM cluster_lease")))
                .body("active", equalTo("node-a")).body("nodes[0].name", equalTo("node-a"))
                .body("nodes[0].role", equalTo("ACTIVE")).body("nodes[0].self", equalTo(true))
                .body("database", hasKey("primary")).body("database", hasKey("standbys"));
        Api.ops().body(Map.of("target", "node-z")).post("/api/ops/switchover").then().statusCode(409);
    }

    @Test
    void shouldServeHealthMetricsAndOpenApi() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200).body("checks.find { it.name == 'holdfast-role' }.data.role", equalTo("ACTIVE"));
        given().get("/q/health/started").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("holdfast_role"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/bets"));
    }
}
