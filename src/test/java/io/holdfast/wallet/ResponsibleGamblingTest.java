package io.holdfast.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.holdfast.support.Http;
import io.quarkus.test.junit.QuarkusTest;

/**
 * RTS 12 on the server. The cooling-off is moved on by ageing the pending change in the database
 * ({@code limit_change.effective_at}), the one clock Holdfast reads; nothing in the application is faked.
 */
@QuarkusTest
class ResponsibleGamblingTest {

    /** What a session-revoking observer (issue 11) would see: status changes, after they committed. */
    @ApplicationScoped
    static class StatusChanges {
        static final List<AccountStatusChanged> SEEN = new CopyOnWriteArrayList<>();

        void committed(@Observes(during = TransactionPhase.AFTER_SUCCESS) AccountStatusChanged change) {
            SEEN.add(change);
        }
    }

    private static void deposit(Api.Bettor bettor, long amount, int status, String code) {
        var answer = Api.as(bettor).body(Map.of("requestId", Api.unique("dep"), "amount", amount))
                .post("/api/wallet/deposits").then().statusCode(status);
        if (code != null) {
            answer.body("code", equalTo(code));
        }
    }

    private static void bet(Api.Bettor bettor, long selection, long stake, int status, String code) {
        var answer = Api.as(bettor).body(Api.single(Api.unique("b"), stake, selection, "2.00", "ANY"))
                .post("/api/bets").then().statusCode(status);
        if (code != null) {
            answer.body("code", equalTo(code));
        }
    }

    private static void limits(Api.Bettor bettor, Map<String, Object> body, int status) {
        Api.as(bettor).body(body).put("/api/me/limits").then().statusCode(status);
    }

    /** The 24 hours pass for this account's pending limit changes. */
    private static void coolingOffEnds(Api.Bettor bettor) {
        assertThat(Db.update("UPDATE limit_change SET effective_at = now() - interval '1 second' WHERE account_id = ?",
                bettor.id())).isPositive();
    }

    private static Map<String, Object> nulls(String key) {
        Map<String, Object> body = new HashMap<>();
        body.put(key, null);
        return body;
    }

    @Test
    void shouldApplyALowerDepositLimitAtOnceAndAHigherOneAfterTheCoolingOff() {
        Api.Bettor bettor = Api.bettor(0);
        Api.as(bettor).get("/api/me/limits").then().statusCode(200).body("depositLimitDay", nullValue())
                .body("dailyStakeLimit", equalTo(5_000_000)).body("pending", empty());

        limits(bettor, Map.of("depositLimitDay", 5_000), 200);
        Api.as(bettor).get("/api/me/limits").then().body("depositLimitDay", equalTo(5_000)).body("pending", empty());
        deposit(bettor, 4_000, 201, null);
        deposit(bettor, 2_000, 409, "LIMIT_EXCEEDED");

        Instant asked = Instant.now();
        Api.as(bettor).body(Map.of("depositLimitDay", 10_000)).put("/api/me/limits").then().statusCode(200)
                .body("depositLimitDay", equalTo(5_000)).body("pending[0].limit", equalTo("depositLimitDay"))
                .body("pending[0].value", equalTo(10_000));
        Instant effective = Instant.parse(Api.as(bettor).get("/api/me/limits").then().extract().jsonPath()
                .getString("pending[0].effectiveAt"));
        assertThat(Duration.between(asked, effective).toMinutes()).isBetween(23 * 60L + 59, 24 * 60L + 1);
        deposit(bettor, 2_000, 409, "LIMIT_EXCEEDED");

        coolingOffEnds(bettor);
        Api.as(bettor).get("/api/me/limits").then().body("depositLimitDay", equalTo(10_000)).body("pending", empty());
        deposit(bettor, 2_000, 201, null);
        assertThat(Api.balance(bettor)).isEqualTo(6_000);
        Api.admin().get("/api/admin/audit?limit=1000").then().body("action",
                hasItems("LIMIT_DECREASED", "LIMIT_INCREASE_REQUESTED", "LIMIT_INCREASED"));
    }

    @Test
    void shouldKeepAWeeklyAndMonthlyDepositLimitAndWaitToRemoveOne() {
        Api.Bettor bettor = Api.bettor(0);
        limits(bettor, Map.of("depositLimitWeek", 3_000, "depositLimitMonth", 4_000), 200);
        deposit(bettor, 2_000, 201, null);
        deposit(bettor, 1_500, 409, "LIMIT_EXCEEDED");
        deposit(bettor, 1_000, 201, null);

        Api.as(bettor).body(nulls("depositLimitWeek")).put("/api/me/limits").then().statusCode(200)
                .body("depositLimitWeek", equalTo(3_000)).body("pending[0].limit", equalTo("depositLimitWeek"))
                .body("pending[0].value", nullValue());
        coolingOffEnds(bettor);
        Api.as(bettor).get("/api/me/limits").then().body("depositLimitWeek", nullValue())
                .body("depositLimitMonth", equalTo(4_000));
        deposit(bettor, 1_500, 409, "LIMIT_EXCEEDED"); // the monthly limit still holds
        deposit(bettor, 1_000, 201, null);
        Api.as(bettor).body(Map.of("depositLimitDay", -5)).put("/api/me/limits").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
        Api.as(bettor).body(Map.of("weeklyFun", 5)).put("/api/me/limits").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
    }

    @Test
    void shouldLetNoTwoConcurrentDepositsPassADepositLimitTogether() throws Exception {
        Api.Bettor bettor = Api.bettor(0);
        limits(bettor, Map.of("depositLimitDay", 5_000), 200);
        List<Callable<Http.Answer>> deposits = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String body = "{\"requestId\":\"" + Api.unique("dep") + "\",\"amount\":1000}";
            deposits.add(() -> Http.post(bettor, "/api/wallet/deposits", body));
        }

        List<Http.Answer> answers = Http.together(deposits);

        assertThat(answers).filteredOn(a -> a.status() == 201).hasSize(5);
        assertThat(answers).filteredOn(a -> a.status() == 409).hasSize(7)
                .allSatisfy(a -> assertThat(a.body()).contains("LIMIT_EXCEEDED"));
        assertThat(Db.storedBalance(bettor.id())).isEqualTo(5_000);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(5_000);
    }

    @Test
    void shouldHoldARaisedDailyStakeLimitUntilTheCoolingOffEnds() {
        Api.Bettor bettor = Api.bettor(100_000);
        long selection = Api.market("2.00", "2.00").selections().get(0);
        limits(bettor, Map.of("dailyStakeLimit", 1_000), 200);
        bet(bettor, selection, 1_000, 201, null);
        bet(bettor, selection, 100, 409, "LIMIT_EXCEEDED");

        Api.as(bettor).body(Map.of("dailyStakeLimit", 5_000)).put("/api/me/limits").then().statusCode(200)
                .body("dailyStakeLimit", equalTo(1_000)).body("pending[0].value", equalTo(5_000));
        bet(bettor, selection, 100, 409, "LIMIT_EXCEEDED");

        coolingOffEnds(bettor);
        bet(bettor, selection, 100, 201, null);
        Api.as(bettor).get("/api/me").then().body("dailyStakeLimit", equalTo(5_000)).body("stakedToday", equalTo(1_100));

        // a lower value while a raise waits: applies at once and drops the raise
        limits(bettor, Map.of("dailyStakeLimit", 8_000), 200);
        Api.as(bettor).body(Map.of("dailyStakeLimit", 1_200)).put("/api/me/limits").then().statusCode(200)
                .body("dailyStakeLimit", equalTo(1_200)).body("pending", empty());
        bet(bettor, selection, 200, 409, "LIMIT_EXCEEDED");
    }

    @Test
    void shouldRefuseBetsDepositsAndRaisesDuringATimeOutButLetTheBettorLookAndWithdraw() {
        Api.Bettor bettor = Api.bettor(10_000);
        long selection = Api.market("2.00", "2.00").selections().get(0);
        Api.as(bettor).body(Map.of("days", 2)).post("/api/me/time-out").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));

        Instant asked = Instant.now();
        String until = Api.as(bettor).body(Map.of("days", 7)).post("/api/me/time-out").then().statusCode(200)
                .extract().jsonPath().getString("timedOutUntil");
        assertThat(Duration.between(asked, Instant.parse(until)).toHours()).isBetween(167L, 168L);

        bet(bettor, selection, 100, 409, "TIMED_OUT");
        deposit(bettor, 1_000, 409, "TIMED_OUT");
        Api.as(bettor).body(Map.of("depositLimitDay", 2_000)).put("/api/me/limits").then().statusCode(200)
                .body("depositLimitDay", equalTo(2_000));
        Api.as(bettor).body(Map.of("depositLimitDay", 9_000)).put("/api/me/limits").then().statusCode(409)
                .body("code", equalTo("TIMED_OUT"));
        // a shorter time-out does not end the running one
        Api.as(bettor).body(Map.of("days", 1)).post("/api/me/time-out").then().statusCode(200)
                .body("timedOutUntil", equalTo(until));
        // nobody lifts it early
        Api.admin().body(Map.of("status", "ACTIVE")).post("/api/admin/accounts/" + bettor.id() + "/status").then()
                .statusCode(409).body("code", equalTo("SELF_EXCLUDED"));

        Api.anonymous().body(Map.of("username", bettor.username(), "password", bettor.password()))
                .post("/api/session").then().statusCode(200);
        Api.as(bettor).get("/api/me").then().statusCode(200).body("balance", equalTo(10_000));
        Api.as(bettor).get("/api/bets").then().statusCode(200);
        Api.as(bettor).get("/api/wallet/transactions").then().statusCode(200);
        Api.as(bettor).body(Map.of("requestId", Api.unique("wd"), "amount", 4_000)).post("/api/wallet/withdrawals")
                .then().statusCode(201).body("balance", equalTo(6_000));

        // once it is over, betting is back
        Db.update("UPDATE account SET timed_out_until = now() - interval '1 second' WHERE id = ?", bettor.id());
        bet(bettor, selection, 100, 201, null);
        Api.admin().get("/api/admin/audit?limit=1000").then().body("action", hasItems("TIME_OUT"));
    }

    @Test
    void shouldKeepASelfExclusionThatNobodyCanLiftEarly() {
        Api.Bettor bettor = Api.bettor(10_000);
        long selection = Api.market("2.00", "2.00").selections().get(0);
        Api.as(bettor).body(Map.of("months", 3)).post("/api/me/self-exclusion").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
        Instant asked = Instant.now();
        String until = Api.as(bettor).body(Map.of("months", 12)).post("/api/me/self-exclusion").then().statusCode(200)
                .body("status", equalTo("SELF_EXCLUDED")).extract().jsonPath().getString("selfExcludedUntil");
        assertThat(Duration.between(asked, Instant.parse(until)).toDays()).isBetween(364L, 366L);

        bet(bettor, selection, 100, 409, "SELF_EXCLUDED");
        deposit(bettor, 1_000, 409, "SELF_EXCLUDED");
        Api.as(bettor).body(Map.of("dailyStakeLimit", 9_000_000)).put("/api/me/limits").then().statusCode(409)
                .body("code", equalTo("SELF_EXCLUDED"));
        Api.admin().body(Map.of("status", "ACTIVE")).post("/api/admin/accounts/" + bettor.id() + "/status").then()
                .statusCode(409).body("code", equalTo("SELF_EXCLUDED"));
        Api.as(bettor).get("/api/me").then().statusCode(200).body("status", equalTo("SELF_EXCLUDED"));

        // when the exclusion has run its course, staff reopen the account (RTS 12: a positive action to return)
        Db.update("UPDATE account SET self_excluded_until = now() - interval '1 second' WHERE id = ?", bettor.id());
        bet(bettor, selection, 100, 409, "SELF_EXCLUDED");
        Api.admin().body(Map.of("status", "ACTIVE")).post("/api/admin/accounts/" + bettor.id() + "/status").then()
                .statusCode(200).body("status", equalTo("ACTIVE"));
        bet(bettor, selection, 100, 201, null);
        Api.admin().get("/api/admin/audit?limit=1000").then().body("action", hasItems("SELF_EXCLUSION", "ACCOUNT_STATUS"));
    }

    @Test
    void shouldLetAnAdminBlockAndUnblockAndTellWhoeverListensAfterTheCommit() {
        Api.Bettor bettor = Api.bettor(10_000);
        long selection = Api.market("2.00", "2.00").selections().get(0);
        Api.admin().body(Map.of("status", "BLOCKED")).post("/api/admin/accounts/" + bettor.id() + "/status").then()
                .statusCode(200).body("status", equalTo("BLOCKED"));

        bet(bettor, selection, 100, 409, "ACCOUNT_BLOCKED");
        deposit(bettor, 1_000, 409, "ACCOUNT_BLOCKED");
        Api.as(bettor).body(Map.of("dailyStakeLimit", 9_000_000)).put("/api/me/limits").then().statusCode(409)
                .body("code", equalTo("ACCOUNT_BLOCKED"));
        Api.as(bettor).get("/api/me").then().statusCode(200).body("status", equalTo("BLOCKED"));

        Api.admin().body(Map.of("status", "ACTIVE")).post("/api/admin/accounts/" + bettor.id() + "/status").then()
                .statusCode(200).body("status", equalTo("ACTIVE"));
        bet(bettor, selection, 100, 201, null);
        assertThat(StatusChanges.SEEN).filteredOn(c -> c.accountId() == bettor.id())
                .extracting(c -> c.from() + "->" + c.to()).containsExactly("ACTIVE->BLOCKED", "BLOCKED->ACTIVE");
        Api.admin().body(Map.of("status", "ACTIVE")).post("/api/admin/accounts/987654321/status").then()
                .statusCode(404);
    }
}
