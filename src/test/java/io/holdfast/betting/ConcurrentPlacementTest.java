package io.holdfast.betting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.holdfast.support.Http;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ConcurrentPlacementTest {

    @Test
    void shouldAcceptExactlyTheBetsTheBalanceCovers() throws Exception {
        Api.Bettor bettor = Api.bettor(10 * 1_000);
        Api.Market market = Api.market("2.00", "1.80");
        List<Callable<Http.Answer>> placements = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String body = "{\"requestId\":\"" + Api.unique("conc") + "\",\"stake\":1000,\"oddsChange\":\"NONE\","
                    + "\"legs\":[{\"selectionId\":" + market.selections().get(0) + ",\"odds\":2.00}]}";
            placements.add(() -> Http.post(bettor, "/api/bets", body));
        }

        List<Http.Answer> answers = Http.together(placements);

        assertThat(answers).filteredOn(a -> a.status() == 201).hasSize(10);
        assertThat(answers).filteredOn(a -> a.status() != 201)
                .hasSize(40)
                .allSatisfy(a -> {
                    assertThat(a.status()).isEqualTo(422);
                    assertThat(a.body()).contains("\"code\":\"INSUFFICIENT_FUNDS\"");
                });
        assertThat(Db.storedBalance(bettor.id())).isZero();
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
        assertThat(Db.longValue("SELECT count(*) FROM bet WHERE account_id = ?", bettor.id())).isEqualTo(10);
        assertThat(Db.longValue("SELECT count(*) FROM account WHERE balance < 0")).isZero();
        assertThat(Db.unbalancedJournals()).isZero();
    }

    @Test
    void shouldCreateOneBetForTwentyConcurrentCopiesOfOneRequest() throws Exception {
        Api.Bettor bettor = Api.bettor(100_000);
        Api.Market market = Api.market("3.10", "1.40");
        String requestId = Api.unique("same");
        String body = "{\"requestId\":\"" + requestId + "\",\"stake\":500,\"oddsChange\":\"ANY\","
                + "\"legs\":[{\"selectionId\":" + market.selections().get(1) + ",\"odds\":1.40}]}";
        List<Callable<Http.Answer>> copies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            copies.add(() -> Http.post(bettor, "/api/bets", body));
        }

        List<Http.Answer> answers = Http.together(copies);

        assertThat(answers).filteredOn(a -> a.status() == 201).hasSize(1);
        assertThat(answers).filteredOn(a -> a.status() == 200).hasSize(19);
        String betId = answers.get(0).body().replaceAll("^\\{\"id\":(\\d+),.*$", "$1");
        assertThat(answers).allSatisfy(a -> assertThat(a.body()).startsWith("{\"id\":" + betId + ","));
        assertThat(Db.longValue("SELECT count(*) FROM bet WHERE account_id = ? AND request_id = ?", bettor.id(),
                requestId)).isEqualTo(1);
        assertThat(Db.storedBalance(bettor.id())).isEqualTo(100_000 - 500);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }
}
