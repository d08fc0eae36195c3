package io.holdfast.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** The bad-input corpus of issue 11: no coercion, no ordinals, no non-ASCII digits, no unknown fields. */
@QuarkusTest
class StrictJsonTest {

    private static void refused(RequestSpecification request, String method, String path, String body, String field) {
        request.body(body).request(method, path).then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"))
                .body("detail", containsString("'" + field + "'"));
    }

    @Test
    void shouldRefuseCoercedBetsAndPlaceTheExactShape() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "1.80");
        long selection = market.selections().get(0);
        String legs = "\"legs\":[{\"selectionId\":" + selection + ",\"odds\":2.00}]";
        refused(Api.as(bettor), "POST", "/api/bets", "{\"requestId\":1e308,\"stake\":100," + legs + ",\"oddsChange\":\"NONE\"}", "requestId");
        refused(Api.as(bettor), "POST", "/api/bets", "{\"requestId\":\"b1\",\"stake\":\"١٢٣\"," + legs + ",\"oddsChange\":\"NONE\"}", "stake");
        refused(Api.as(bettor), "POST", "/api/bets", "{\"requestId\":\"b1\",\"stake\":\"123\"," + legs + ",\"oddsChange\":\"NONE\"}", "stake");
        refused(Api.as(bettor), "POST", "/api/bets", "{\"requestId\":\"b1\",\"stake\":100.0," + legs + ",\"oddsChange\":\"NONE\"}", "stake");
        refused(Api.as(bettor), "POST", "/api/bets", "{\"requestId\":\"b1\",\"stake\":100," + legs + ",\"oddsChange\":0}", "oddsChange");
        refused(Api.as(bettor), "POST", "/api/bets", "{\"requestId\":\"b1\",\"stake\":100," + legs + ",\"oddsChange\":\"NONE\",\"bonus\":1}", "bonus");
        refused(Api.as(bettor), "POST", "/api/bets", "{\"requestId\":\"b1\",\"stake\":100,\"legs\":[{\"selectionId\":\"" + selection
                + "\",\"odds\":2.00}],\"oddsChange\":\"NONE\"}", "legs[0].selectionId");
        refused(Api.as(bettor), "POST", "/api/bets", "{\"requestId\":\"b1\",\"stake\":99999999999999999999999," + legs
                + ",\"oddsChange\":\"NONE\"}", "stake");
        assertThat(Api.balance(bettor)).as("nothing changed").isEqualTo(10_000);

        Api.as(bettor).body("{\"requestId\":\"b1\",\"stake\":100," + legs + ",\"oddsChange\":\"NONE\"}").post("/api/bets")
                .then().statusCode(201);
    }

    @Test
    void shouldRefuseCoercedWalletAndAccountInput() {
        Api.Bettor bettor = Api.bettor(0);
        refused(Api.as(bettor), "POST", "/api/wallet/deposits", "{\"requestId\":\"d1\",\"amount\":\"500\"}", "amount");
        refused(Api.as(bettor), "POST", "/api/wallet/deposits", "{\"requestId\":\"d1\",\"amount\":5.5}", "amount");
        refused(Api.as(bettor), "POST", "/api/wallet/deposits", "{\"requestId\":7,\"amount\":500}", "requestId");
        refused(Api.as(bettor), "POST", "/api/wallet/deposits", "{\"requestId\":\"d1\",\"amount\":500,\"currency\":\"EUR\"}", "currency");
        refused(Api.anonymous(), "POST", "/api/accounts", "{\"username\":12345,\"password\":\"long-enough-1\"}", "username");
        refused(Api.anonymous(), "POST", "/api/session", "{\"username\":\"" + bettor.username() + "\",\"password\":true}", "password");
        assertThat(Api.balance(bettor)).isZero();
        Api.as(bettor).body("{\"requestId\":\"d1\",\"amount\":500}").post("/api/wallet/deposits").then().statusCode(201);
    }

    @Test
    void shouldRefuseCoercedAdminInput() {
        refused(Api.admin(), "POST", "/api/admin/events", "{\"name\":\"x\",\"startsAt\":1700000000}", "startsAt");
        refused(Api.admin(), "POST", "/api/admin/events", "{\"name\":7,\"startsAt\":\"2030-01-01T18:00:00Z\"}", "name");
        Api.Market market = Api.market("2.00", "1.80");
        refused(Api.admin(), "PUT", "/api/admin/selections/" + market.selections().get(0) + "/odds", "{\"odds\":\"3.00\"}", "odds");
        refused(Api.admin(), "POST", "/api/admin/accounts/1/status", "{\"status\":1}", "status");
    }

    @Test
    void shouldRefuseNonAsciiDigitsInThePathAndQuery() {
        Api.Bettor bettor = Api.bettor(0);
        Api.as(bettor).get("/api/bets/١٢٣").then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).get("/api/bets?limit=１０").then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
    }
}
