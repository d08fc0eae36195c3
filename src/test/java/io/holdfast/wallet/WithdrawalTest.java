package io.holdfast.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.holdfast.support.Http;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class WithdrawalTest {

    static Map<String, Object> withdrawal(String requestId, long amount) {
        return Map.of("requestId", requestId, "amount", amount);
    }

    @Test
    void shouldDebitOnceForARepeatedRequestIdInADoubleEntryJournal() {
        Api.Bettor bettor = Api.bettor(10_000);
        String requestId = Api.unique("wd");

        Api.as(bettor).body(withdrawal(requestId, 3_000)).post("/api/wallet/withdrawals").then().statusCode(201)
                .body("balance", equalTo(7_000));
        Api.as(bettor).body(withdrawal(requestId, 3_000)).post("/api/wallet/withdrawals").then().statusCode(200)
                .body("balance", equalTo(7_000));
        Api.as(bettor).body(withdrawal(requestId, 2_000)).post("/api/wallet/withdrawals").then().statusCode(409)
                .body("code", equalTo("DUPLICATE_REQUEST_MISMATCH"));
        Api.as(bettor).body(withdrawal(Api.unique("wd"), 0)).post("/api/wallet/withdrawals").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));

        Api.as(bettor).get("/api/wallet/transactions").then().statusCode(200).body("[0].type", equalTo("WITHDRAWAL"))
                .body("[0].amount", equalTo(-3_000)).body("[0].balanceAfter", equalTo(7_000));
        assertThat(Api.balance(bettor)).isEqualTo(7_000);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
        assertThat(Db.longValue("SELECT count(*) FROM ledger_entry WHERE request_id = ? AND type = 'WITHDRAWAL'",
                requestId)).as("a player row and a house row").isEqualTo(2);
        assertThat(Db.unbalancedJournals()).isZero();
    }

    @Test
    void shouldNeverOverdrawUnderConcurrentWithdrawals() throws Exception {
        Api.Bettor bettor = Api.bettor(10_000);
        List<Callable<Http.Answer>> withdrawals = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String body = "{\"requestId\":\"" + Api.unique("wd") + "\",\"amount\":1000}";
            withdrawals.add(() -> Http.post(bettor, "/api/wallet/withdrawals", body));
        }

        List<Http.Answer> answers = Http.together(withdrawals);

        assertThat(answers).filteredOn(a -> a.status() == 201).hasSize(10);
        assertThat(answers).filteredOn(a -> a.status() != 201).hasSize(20).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(409);
            assertThat(a.body()).contains("\"code\":\"INSUFFICIENT_FUNDS\"");
        });
        assertThat(Db.storedBalance(bettor.id())).isZero();
        assertThat(Db.ledgerSum(bettor.id())).isZero();
        assertThat(Db.unbalancedJournals()).isZero();
    }

    @Test
    void shouldPayOutOneWithdrawalForConcurrentCopiesOfOneRequest() throws Exception {
        Api.Bettor bettor = Api.bettor(10_000);
        String body = "{\"requestId\":\"" + Api.unique("wd") + "\",\"amount\":4000}";
        List<Callable<Http.Answer>> copies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            copies.add(() -> Http.post(bettor, "/api/wallet/withdrawals", body));
        }

        List<Http.Answer> answers = Http.together(copies);

        assertThat(answers).filteredOn(a -> a.status() == 201).hasSize(1);
        assertThat(answers).filteredOn(a -> a.status() == 200).hasSize(9);
        assertThat(Db.storedBalance(bettor.id())).isEqualTo(6_000);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(6_000);
    }

    @Test
    void shouldRefuseAWithdrawalWhileBlockedButNotWhileSelfExcludedOrTimedOut() {
        Api.Bettor blocked = Api.bettor(5_000);
        Api.Bettor excluded = Api.bettor(5_000);
        Api.Bettor resting = Api.bettor(5_000);
        Api.admin().body(Map.of("status", "BLOCKED")).post("/api/admin/accounts/" + blocked.id() + "/status").then()
                .statusCode(200);
        Api.as(excluded).body(Map.of("months", 6)).post("/api/me/self-exclusion").then().statusCode(200);
        Api.as(resting).body(Map.of("days", 1)).post("/api/me/time-out").then().statusCode(200);

        Api.as(blocked).body(withdrawal(Api.unique("wd"), 1_000)).post("/api/wallet/withdrawals").then().statusCode(409)
                .body("code", equalTo("ACCOUNT_BLOCKED"));
        Api.as(blocked).get("/api/me").then().statusCode(200).body("status", equalTo("BLOCKED"))
                .body("balance", equalTo(5_000));
        Api.as(excluded).body(withdrawal(Api.unique("wd"), 1_000)).post("/api/wallet/withdrawals").then().statusCode(201)
                .body("balance", equalTo(4_000));
        Api.as(resting).body(withdrawal(Api.unique("wd"), 5_000)).post("/api/wallet/withdrawals").then().statusCode(201)
                .body("balance", equalTo(0));
        assertThat(Db.storedBalance(blocked.id())).isEqualTo(5_000);
    }
}
