package io.holdfast.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.holdfast.support.Http;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Settlement of two markets and the completion of live bets, all at once, crediting the same accounts in
 * opposite orders of bet id: they lock accounts in one order (by id), so PostgreSQL never has to end one of
 * them as a deadlock (40P01).
 */
@QuarkusTest
class LockOrderTest {

    private static final Pattern DEADLOCKS = Pattern.compile("holdfast_deadlocks_total\\{job=\"([a-z-]+)\"[^}]*\\} ([0-9.]+)");

    static long deadlocksCounted() {
        String metrics = Api.anonymous().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = DEADLOCKS.matcher(metrics);
        long total = 0;
        while (m.find()) {
            total += (long) Double.parseDouble(m.group(2));
        }
        return total;
    }

    static long deadlocksInDatabase() {
        return Db.longValue("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }

    @Test
    void shouldSettleAndCompleteLiveBetsOnTheSameAccountsWithoutADeadlock() throws Exception {
        int n = 40;
        List<Api.Bettor> bettors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            bettors.add(Api.bettor(10_000));
        }
        Api.Market first = Api.market("2.00", "2.00");
        Api.Market second = Api.market("3.00", "1.50");
        Api.Market live = Api.market("1.90", "1.90");
        for (int i = 0; i < n; i++) {
            SettlementTest.bet(bettors.get(i), 100, first.selections().get(0), "2.00");
        }
        for (int i = n - 1; i >= 0; i--) {
            SettlementTest.bet(bettors.get(i), 100, second.selections().get(0), "3.00");
        }
        long countedBefore = deadlocksCounted();
        long databaseBefore = deadlocksInDatabase();

        Api.admin().post("/api/admin/events/" + live.eventId() + "/start").then().statusCode(200);
        // live bets, then a suspension: those still in their delay are rejected and refunded
        List<Callable<Http.Answer>> liveBets = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            Api.Bettor bettor = bettors.get(i);
            String body = "{\"requestId\":\"" + Api.unique("live") + "\",\"stake\":100,\"oddsChange\":\"NONE\","
                    + "\"legs\":[{\"selectionId\":" + live.selections().get(0) + ",\"odds\":1.90}]}";
            liveBets.add(() -> Http.post(bettor, "/api/bets", body));
        }
        assertThat(Http.together(liveBets)).allSatisfy(a -> assertThat(a.status()).isEqualTo(201));
        Api.admin().post("/api/admin/markets/" + live.id() + "/suspend").then().statusCode(200);
        Thread.sleep(1_500); // the first live bets fall due as the settlements start
        SettlementTest.result(first.id(), Map.of("winners", List.of(first.selections().get(0))));
        SettlementTest.result(second.id(), Map.of("winners", List.of(second.selections().get(0))));

        SettlementTest.awaitMarket(first.id(), "SETTLED", 1);
        SettlementTest.awaitMarket(second.id(), "SETTLED", 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> Db.longValue("SELECT count(*) FROM bet b JOIN bet_leg l "
                + "ON l.bet_id = b.id WHERE l.market_id = ? AND b.status = 'PENDING'", live.id()) == 0);
        for (Api.Bettor b : bettors) {
            long liveAccepted = Db.longValue("SELECT count(*) FROM bet b JOIN bet_leg l ON l.bet_id = b.id "
                    + "WHERE b.account_id = ? AND l.market_id = ? AND b.status = 'ACCEPTED'", b.id(), live.id());
            assertThat(Db.storedBalance(b.id())).isEqualTo(10_000 - 200 + 200 + 300 - 100 * liveAccepted);
            assertThat(Db.ledgerSum(b.id())).isEqualTo(Db.storedBalance(b.id()));
        }
        Thread.sleep(11_000); // PostgreSQL publishes a backend's statistics within its idle interval (10 s)
        long counted = deadlocksCounted() - countedBefore;
        long inDatabase = deadlocksInDatabase() - databaseBefore;
        System.out.printf("LockOrderTest: deadlocks retried by the app %d, counted by PostgreSQL %d%n", counted, inDatabase);
        assertThat(counted).as("40P01 retries by settlement and pending-bet completion").isZero();
        assertThat(inDatabase).as("deadlocks PostgreSQL detected").isZero();
    }
}
