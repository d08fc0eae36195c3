package io.holdfast.betting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.oneOf;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.holdfast.support.Http;
import io.quarkus.test.junit.QuarkusTest;

/**
 * No bet on a market that is no longer open: the placement transaction and the result / suspend / finish
 * transaction serialize on the market row in the database, whatever the odds book shows.
 */
@QuarkusTest
class MarketClosingTest {

    /** One placement of the stream: when it was sent and answered (System.nanoTime) and what came back. */
    record Shot(long sentAt, long answeredAt, int status, String body) {
        long betId() {
            return Long.parseLong(body.replaceAll("^\\{\"id\":(\\d+),.*$", "$1"));
        }
    }

    /** Bettors placing singles on {@code selection} as fast as they can until the change has answered and a bit. */
    private static List<Shot> streamAround(long selection, String odds, Supplier<Integer> change, long[] changeAnsweredAt)
            throws Exception {
        int bettors = 6;
        List<Api.Bettor> accounts = new ArrayList<>();
        for (int i = 0; i < bettors; i++) {
            accounts.add(Api.bettor(1_000_000));
        }
        ConcurrentLinkedQueue<Shot> shots = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(bettors);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Api.Bettor bettor : accounts) {
                running.add(pool.submit(() -> {
                    while (!stop.get()) {
                        String body = "{\"requestId\":\"" + Api.unique("race") + "\",\"stake\":100,\"oddsChange\":\"ANY\","
                                + "\"legs\":[{\"selectionId\":" + selection + ",\"odds\":" + odds + "}]}";
                        long sent = System.nanoTime();
                        Http.Answer answer = Http.post(bettor, "/api/bets", body);
                        shots.add(new Shot(sent, System.nanoTime(), answer.status(), answer.body()));
                    }
                    return null;
                }));
            }
            // the stream is running: bets are being accepted
            await().atMost(Duration.ofSeconds(30)).until(() -> shots.stream().filter(s -> s.status() == 201).count() >= 10);
            int status = change.get();
            long changed = System.nanoTime();
            changeAnsweredAt[0] = changed;
            assertThat(status).isBetween(200, 202);
            // and keeps trying after the change
            await().atMost(Duration.ofSeconds(30)).until(() -> shots.stream().filter(s -> s.sentAt() > changed).count() >= 20);
            stop.set(true);
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return List.copyOf(shots);
    }

    private static void assertNothingAcceptedAfter(List<Shot> shots, long changedAt, String refusal) {
        assertThat(shots).filteredOn(s -> s.answeredAt() < changedAt && s.status() == 201)
                .as("bets accepted while the market was open").isNotEmpty();
        assertThat(shots).filteredOn(s -> s.sentAt() > changedAt)
                .as("placements sent after the change answered").isNotEmpty()
                .allSatisfy(s -> {
                    assertThat(s.status()).isEqualTo(409);
                    assertThat(s.body()).contains("\"code\":\"" + refusal + "\"");
                });
        assertThat(shots).allSatisfy(s -> assertThat(s.status()).isIn(201, 409));
    }

    @Test
    void shouldAcceptNoBetAfterAResultAndPayOnlyTheBetsTakenBeforeIt() throws Exception {
        Api.Market market = Api.market("2.00", "2.00");
        long winner = market.selections().get(0);
        long[] changedAt = new long[1];

        List<Shot> shots = streamAround(winner, "2.00", () -> Api.admin().body(Map.of("winners", List.of(winner)))
                .post("/api/admin/markets/" + market.id() + "/result").then().extract().statusCode(), changedAt);

        assertNothingAcceptedAfter(shots, changedAt[0], "MARKET_CLOSED");
        // the odds book was refreshed before the result answered (settlement may have finished since)
        Api.anonymous().get("/api/events/" + market.eventId()).then().body("markets[0].status", oneOf("CLOSED", "SETTLED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> Api.admin().get("/api/admin/markets/" + market.id()).then()
                .extract().jsonPath().getString("status").equals("SETTLED"));
        List<Long> accepted = shots.stream().filter(s -> s.status() == 201).map(Shot::betId).toList();
        long betsOnMarket = Db.longValue("SELECT count(*) FROM bet_leg WHERE market_id = ?", market.id());
        assertThat(betsOnMarket).as("every bet in the database was answered 201").isEqualTo(accepted.size());
        long paid = Db.longValue("SELECT coalesce(sum(l.amount), 0) FROM ledger_entry l JOIN bet_leg g ON g.bet_id = l.bet_id "
                + "WHERE g.market_id = ? AND l.type = 'PAYOUT' AND l.book = 'PLAYER'", market.id());
        assertThat(paid).isEqualTo(accepted.size() * 200L);
        assertThat(Db.unbalancedJournals()).isZero();
    }

    @Test
    void shouldAcceptNoBetAfterASuspension() throws Exception {
        Api.Market market = Api.market("1.90", "1.90");
        long[] changedAt = new long[1];

        List<Shot> shots = streamAround(market.selections().get(1), "1.90", () -> Api.admin()
                .post("/api/admin/markets/" + market.id() + "/suspend").then().extract().statusCode(), changedAt);

        assertNothingAcceptedAfter(shots, changedAt[0], "MARKET_SUSPENDED");
        assertThat(Db.longValue("SELECT count(*) FROM bet_leg WHERE market_id = ?", market.id()))
                .isEqualTo(shots.stream().filter(s -> s.status() == 201).count());
    }

    @Test
    void shouldAcceptNoBetAfterTheEventFinished() throws Exception {
        Api.Market market = Api.market("3.00", "1.40");
        long[] changedAt = new long[1];

        List<Shot> shots = streamAround(market.selections().get(0), "3.00", () -> Api.admin()
                .post("/api/admin/events/" + market.eventId() + "/finish").then().extract().statusCode(), changedAt);

        assertNothingAcceptedAfter(shots, changedAt[0], "MARKET_CLOSED");
        assertThat(Db.longValue("SELECT count(*) FROM bet_leg WHERE market_id = ?", market.id()))
                .isEqualTo(shots.stream().filter(s -> s.status() == 201).count());
    }

    /**
     * The interleaving a stream only hits by luck, made certain: a status change that holds the market row
     * (FOR UPDATE) while placements arrive. The odds book still shows the market open; the database refuses
     * every one of them once the change commits.
     */
    @Test
    void shouldRefusePlacementsThatWaitedForAStatusChangeToCommit() throws Exception {
        Api.Market market = Api.market("2.40", "1.60");
        Api.Bettor bettor = Api.bettor(100_000);
        List<Callable<Http.Answer>> placements = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String body = "{\"requestId\":\"" + Api.unique("held") + "\",\"stake\":500,\"oddsChange\":\"NONE\","
                    + "\"legs\":[{\"selectionId\":" + market.selections().get(0) + ",\"odds\":2.40}]}";
            placements.add(() -> Http.post(bettor, "/api/bets", body));
        }
        List<Http.Answer> answers;
        try (Connection trader = Db.connect()) {
            trader.setAutoCommit(false);
            exec(trader, "SELECT id FROM market WHERE id = ? FOR UPDATE", market.id());
            CompletableFuture<List<Http.Answer>> placing = CompletableFuture.supplyAsync(() -> {
                try {
                    return Http.together(placements);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1_000);
            assertThat(placing).as("placements wait for the status change").isNotDone();
            exec(trader, "UPDATE market SET status = 'CLOSED' WHERE id = ?", market.id());
            trader.commit();
            answers = placing.get(30, TimeUnit.SECONDS);
        }

        assertThat(answers).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(409);
            assertThat(a.body()).contains("\"code\":\"MARKET_CLOSED\"");
        });
        assertThat(Api.balance(bettor)).isEqualTo(100_000);
        assertThat(Db.longValue("SELECT count(*) FROM bet WHERE account_id = ?", bettor.id())).isZero();
        // the refusal brought the odds book up to date
        Api.anonymous().get("/api/events/" + market.eventId()).then().body("markets[0].status", equalTo("CLOSED"));
    }

    /** The other side: a result, a suspension and a finish wait for a placement that holds the market row. */
    @Test
    void shouldMakeResultSuspendAndFinishWaitForAPlacementInFlight() throws Exception {
        Api.Market forResult = Api.market("2.00", "2.00");
        Api.Market forSuspend = Api.market("2.00", "2.00");
        Api.Market forFinish = Api.market("2.00", "2.00");
        assertWaitsForPlacement(forResult.id(), () -> Api.admin().body(Map.of("winners", List.of(forResult.selections().get(0))))
                .post("/api/admin/markets/" + forResult.id() + "/result").then().extract().statusCode());
        assertWaitsForPlacement(forSuspend.id(), () -> Api.admin().post("/api/admin/markets/" + forSuspend.id() + "/suspend")
                .then().extract().statusCode());
        assertWaitsForPlacement(forFinish.id(), () -> Api.admin().post("/api/admin/events/" + forFinish.eventId() + "/finish")
                .then().extract().statusCode());
    }

    private static void assertWaitsForPlacement(long marketId, Supplier<Integer> change) throws Exception {
        try (Connection placement = Db.connect()) {
            placement.setAutoCommit(false);
            exec(placement, "SELECT id FROM market WHERE id = ? AND status = 'OPEN' FOR KEY SHARE", marketId);
            CompletableFuture<Integer> changing = CompletableFuture.supplyAsync(change);
            Thread.sleep(800);
            assertThat(changing).as("the change waits for the placement holding market " + marketId).isNotDone();
            placement.commit();
            assertThat(changing.get(30, TimeUnit.SECONDS)).isBetween(200, 202);
        }
    }

    @Test
    void shouldRejectALiveBetWhoseMarketWasSuspendedAndResumedDuringItsDelay() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.95", "1.95");
        Api.admin().post("/api/admin/events/" + market.eventId() + "/start").then().statusCode(200);
        long betId = Api.as(bettor).body(Api.single(Api.unique("live"), 1_000, market.selections().get(0), "1.95", "NONE"))
                .post("/api/bets").then().statusCode(201).body("status", equalTo("PENDING"))
                .extract().jsonPath().getLong("id");

        Api.admin().post("/api/admin/markets/" + market.id() + "/suspend").then().statusCode(200);
        Api.admin().post("/api/admin/markets/" + market.id() + "/resume").then().statusCode(200)
                .body("status", equalTo("OPEN"));
        long after = Api.as(bettor).body(Api.single(Api.unique("live"), 1_000, market.selections().get(1), "1.95", "NONE"))
                .post("/api/bets").then().statusCode(201).body("status", equalTo("PENDING"))
                .extract().jsonPath().getLong("id");

        await().atMost(Duration.ofSeconds(15)).until(() -> !status(bettor, betId).equals("PENDING")
                && !status(bettor, after).equals("PENDING"));
        Api.as(bettor).get("/api/bets/" + betId).then().body("status", equalTo("REJECTED"))
                .body("rejectReason", equalTo("MARKET_SUSPENDED"));
        // a bet placed after the market reopened saw no suspension in its delay
        Api.as(bettor).get("/api/bets/" + after).then().body("status", equalTo("ACCEPTED"));
        assertThat(Api.balance(bettor)).isEqualTo(10_000 - 1_000);
        assertThat(Db.longValue("SELECT count(*) FROM ledger_entry WHERE bet_id = ? AND type = 'REFUND' "
                + "AND book = 'PLAYER' AND amount = 1000", betId)).isEqualTo(1);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    @Test
    void shouldRejectALiveBetWhoseMarketGotAResultDuringItsDelayAndNeverPayIt() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.95", "1.95");
        Api.admin().post("/api/admin/events/" + market.eventId() + "/start").then().statusCode(200);
        long betId = Api.as(bettor).body(Api.single(Api.unique("live"), 1_000, market.selections().get(0), "1.95", "NONE"))
                .post("/api/bets").then().statusCode(201).body("status", equalTo("PENDING"))
                .extract().jsonPath().getLong("id");

        Api.admin().body(Map.of("winners", List.of(market.selections().get(0))))
                .post("/api/admin/markets/" + market.id() + "/result").then().statusCode(202);

        await().atMost(Duration.ofSeconds(15)).until(() -> !status(bettor, betId).equals("PENDING"));
        Api.as(bettor).get("/api/bets/" + betId).then().body("status", equalTo("REJECTED"))
                .body("rejectReason", equalTo("MARKET_CLOSED"));
        await().atMost(Duration.ofSeconds(15)).until(() -> Api.admin().get("/api/admin/markets/" + market.id()).then()
                .extract().jsonPath().getString("status").equals("SETTLED"));
        assertThat(Api.balance(bettor)).isEqualTo(10_000);
        assertThat(Db.longValue("SELECT count(*) FROM ledger_entry WHERE bet_id = ? AND type = 'PAYOUT'", betId)).isZero();
    }

    private static String status(Api.Bettor bettor, long betId) {
        return Api.as(bettor).get("/api/bets/" + betId).then().statusCode(200).extract().jsonPath().getString("status");
    }

    private static void exec(Connection c, String sql, Object... params) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }
}
