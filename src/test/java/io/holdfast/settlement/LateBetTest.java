package io.holdfast.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/** Late bets are void by rule: a result's closedAt voids every bet placed at or after it. */
@QuarkusTest
class LateBetTest {

    /** The database's clock, the one Holdfast compares placedAt with. */
    static Instant databaseNow() {
        return Instant.EPOCH.plus(Db.longValue("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"),
                ChronoUnit.MICROS);
    }

    @Test
    void shouldVoidAndRefundBetsPlacedAfterTheMarketReallyClosed() throws Exception {
        Api.Bettor early = Api.bettor(10_000);
        Api.Bettor late = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "3.00");
        long winner = market.selections().get(0);
        long onTime = SettlementTest.bet(early, 1_000, winner, "2.00");
        long onTimeLoser = SettlementTest.bet(early, 500, market.selections().get(1), "3.00");
        Thread.sleep(20);
        Instant closedAt = databaseNow(); // the match really ended here; the trader clicks a moment later
        Thread.sleep(20);
        long pastPost = SettlementTest.bet(late, 1_000, winner, "2.00");
        long pastPostLoser = SettlementTest.bet(late, 400, market.selections().get(1), "3.00");

        Api.admin().body(Map.of("winners", List.of(winner), "closedAt", closedAt.toString()))
                .post("/api/admin/markets/" + market.id() + "/result").then().statusCode(202);
        SettlementTest.awaitMarket(market.id(), "SETTLED", 1);

        Api.as(early).get("/api/bets/" + onTime).then().body("status", equalTo("WON")).body("payout", equalTo(2_000));
        Api.as(early).get("/api/bets/" + onTimeLoser).then().body("status", equalTo("LOST"));
        Api.as(late).get("/api/bets/" + pastPost).then().body("status", equalTo("VOID")).body("payout", equalTo(1_000))
                .body("legs[0].result", equalTo("VOID"));
        Api.as(late).get("/api/bets/" + pastPostLoser).then().body("status", equalTo("VOID")).body("payout", equalTo(400));
        assertThat(Api.balance(early)).isEqualTo(10_000 - 1_500 + 2_000);
        assertThat(Api.balance(late)).isEqualTo(10_000);
        Api.admin().get("/api/admin/markets/" + market.id()).then().statusCode(200)
                .body("lateBetsVoided", equalTo(2)).body("closedAt", equalTo(closedAt.toString()));
        assertThat(Db.ledgerSum(late.id())).isEqualTo(Db.storedBalance(late.id()));
        assertThat(Db.unbalancedJournals()).isZero();
    }

    /**
     * A settled market that an accepted bet reached after its settlement (a leg no result has reached) is settled again
     * for that bet by the scheduler's own search (SettlementScheduler), not left open forever. The bet is made so in
     * SQL: a lost bet taken back to accepted with its leg open, as such a bet would stand.
     */
    @Test
    void shouldSettleABetThatReachedAMarketAfterItsSettlement() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "3.00");
        long winner = market.selections().get(0);
        long loser = SettlementTest.bet(bettor, 500, market.selections().get(1), "3.00");
        Api.admin().body(Map.of("winners", List.of(winner))).post("/api/admin/markets/" + market.id() + "/result")
                .then().statusCode(202);
        SettlementTest.awaitMarket(market.id(), "SETTLED", 1);

        Db.update("UPDATE bet SET status = 'ACCEPTED', payout = NULL, settled_at = NULL WHERE id = ?", loser);
        Db.update("UPDATE bet_leg SET result = NULL, result_revision = NULL WHERE bet_id = ?", loser);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> Api.as(bettor).get("/api/bets/" + loser).then()
                .body("status", equalTo("LOST")).body("legs[0].result", equalTo("LOST")));
        assertThat(Db.longValue("SELECT result_revision FROM bet_leg WHERE bet_id = ?", loser)).isEqualTo(1);
        assertThat(Api.balance(bettor)).isEqualTo(10_000 - 500);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    /**
     * The scheduler asks its question every second, so what it reads must not grow with the open book. In a
     * transaction of the test's own (analysed, rolled back afterwards, so the application never sees any of it): a late
     * bet on a market settled just now, the question asked and its plan's buffers counted from EXPLAIN; then 20 000
     * open bets on another market, and the same again. The question finds the settled market both times, and what it
     * reads grows by less than 60 buffers: asked as one semi-join it read every bet to find the late one's (the 20 000
     * added 338 buffers here, 5 then 343). What it reads besides depends on the other tests' settled markets.
     */
    @Test
    void shouldFindTheWorkWithoutReadingTheWholeOpenBook() throws Exception {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market settled = Api.market("2.00", "3.00");
        SettlementTest.bet(bettor, 100, settled.selections().get(1), "3.00");
        Api.admin().body(Map.of("winners", List.of(settled.selections().get(0))))
                .post("/api/admin/markets/" + settled.id() + "/result").then().statusCode(202);
        SettlementTest.awaitMarket(settled.id(), "SETTLED", 1);
        Api.Market open = Api.market("1.90", "1.90");

        try (Connection c = Db.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("""
                        WITH b AS (
                            INSERT INTO bet (account_id, request_id, request_hash, status, stake, odds, odds_change,
                                             potential_payout, epoch)
                            VALUES (%d, 'late', 'late', 'ACCEPTED', 1, 3.00, 'ANY', 3, 1) RETURNING id)
                        INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version)
                        SELECT id, 1, %d, %d, %d, 3.00, 1 FROM b""".formatted(bettor.id(),
                        settled.selections().get(1), settled.id(), settled.eventId()));
                long before = buffersOfTheQuestion(s, settled, open);
                s.executeUpdate("""
                        WITH b AS (
                            INSERT INTO bet (account_id, request_id, request_hash, status, stake, odds, odds_change,
                                             potential_payout, epoch)
                            SELECT %d, 'book-' || k, 'book', 'ACCEPTED', 1, 1.90, 'ANY', 1, 1
                            FROM generate_series(1, 20000) k RETURNING id)
                        INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version)
                        SELECT id, 1, %d, %d, %d, 1.90, 1 FROM b""".formatted(bettor.id(),
                        open.selections().get(0), open.id(), open.eventId()));
                long after = buffersOfTheQuestion(s, settled, open);
                assertThat(after - before).as("buffers the question reads more beside 20 000 open bets (%d, then %d)",
                        before, after).isLessThan(60);
            } finally {
                c.rollback();
            }
        }
    }

    /** Analyses bet and bet_leg, asks the scheduler's question (it finds the settled market) and counts its buffers. */
    private static long buffersOfTheQuestion(Statement s, Api.Market settled, Api.Market open) throws Exception {
        s.execute("ANALYZE bet");
        s.execute("ANALYZE bet_leg");
        List<Long> work = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(SettlementScheduler.WORK)) {
            while (rs.next()) {
                work.add(rs.getLong(1));
            }
        }
        assertThat(work).contains(settled.id()).doesNotContain(open.id());
        try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + SettlementScheduler.WORK)) {
            rs.next();
            JsonNode root = new ObjectMapper().readTree(rs.getString(1)).get(0).get("Plan");
            return root.get("Shared Hit Blocks").asLong() + root.get("Shared Read Blocks").asLong();
        }
    }
}
