package io.holdfast.feed;

import static io.holdfast.feed.FeedIngestionTest.market;
import static io.holdfast.feed.FeedIngestionTest.selection;
import static io.holdfast.feed.FeedIngestionTest.unique;
import static io.holdfast.feed.FeedIngestionTest.up;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.holdfast.cluster.ClusterState;
import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/** Settlement from the feed through the settlement module: rollbacks, cancel windows, void factors. */
@QuarkusTest
class FeedSettlementTest {

    @Inject
    FeedIngester ingester;

    @Inject
    ClusterState cluster;

    @BeforeEach
    void active() {
        await().atMost(Duration.ofSeconds(20)).until(cluster::isActive);
    }

    private record Setup(Messages p, String event, long market) {
    }

    private Setup openMarket() {
        Messages p = new Messages(unique("settle"));
        up(ingester, p);
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00")));
        return new Setup(p, event, market(event, "1"));
    }

    private static long bet(Api.Bettor bettor, long selection, String odds) {
        return Api.as(bettor).body(Api.single(unique("fs"), 1_000, selection, odds, "NONE")).post("/api/bets").then()
                .statusCode(201).extract().jsonPath().getLong("id");
    }

    private static String status(long bet) {
        return Db.string("SELECT status FROM bet WHERE id = ?", bet);
    }

    @Test
    void shouldRevertAPayoutOnRollbackAndPayOnceWhenTheResultComesAgain() {
        Setup s = openMarket();
        Api.Bettor bettor = Api.bettor(10_000);
        long bet = bet(bettor, selection(s.market(), "1"), "2.00");
        // the final whistle: the event is over, so the rollback below leaves its market closed
        ingester.handle(s.p().odds(Messages.now(), s.event(), FeedMessage.ENDED));
        assertThat(Db.string("SELECT status FROM market WHERE id = ?", s.market())).isEqualTo("CLOSED");
        ingester.handle(s.p().settlement(Messages.now(), s.event(), "1", 1, "1", 3));
        await().atMost(Duration.ofSeconds(15)).until(() -> Api.balance(bettor) == 11_000);

        ingester.handle(s.p().rollback(Messages.now(), s.event(), "1"));
        await().atMost(Duration.ofSeconds(15)).until(() -> Api.balance(bettor) == 9_000);
        assertThat(status(bet)).isEqualTo("ACCEPTED");
        assertThat(Db.string("SELECT status FROM market WHERE id = ?", s.market())).isEqualTo("CLOSED");

        ingester.handle(s.p().settlement(Messages.now(), s.event(), "1", 2, "1", 3));
        await().atMost(Duration.ofSeconds(15)).until(() -> Api.balance(bettor) == 11_000);
        assertThat(status(bet)).isEqualTo("WON");
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    @Test
    void shouldVoidOnlyTheBetsPlacedInsideACancelWindow() throws Exception {
        Setup s = openMarket();
        Api.Bettor bettor = Api.bettor(10_000);
        long before = bet(bettor, selection(s.market(), "2"), "3.00");
        Thread.sleep(20);
        long from = System.currentTimeMillis();
        long inside = bet(bettor, selection(s.market(), "2"), "3.00");
        long to = System.currentTimeMillis() + 1;
        Thread.sleep(20);
        long after = bet(bettor, selection(s.market(), "2"), "3.00");

        ingester.handle(s.p().cancel(Messages.now(), s.event(), "1", from, to));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(inside).equals("VOID"));
        assertThat(Api.balance(bettor)).isEqualTo(8_000);
        assertThat(status(before)).isEqualTo("ACCEPTED");
        assertThat(status(after)).isEqualTo("ACCEPTED");
        assertThat(Db.string("SELECT status FROM market WHERE id = ?", s.market()))
                .as("the market trades on (suspended once its producer is silent for 3 s)").isIn("OPEN", "SUSPENDED");

        ingester.handle(s.p().settlement(Messages.now(), s.event(), "1", 1, "2", 3));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(after).equals("WON"));
        assertThat(status(before)).isEqualTo("WON");
        assertThat(status(inside)).isEqualTo("VOID");
        assertThat(Api.balance(bettor)).isEqualTo(8_000 + 3_000 + 3_000);
    }

    @Test
    void shouldRefundHalfTheStakeOnAHalfVoidOutcome() {
        Setup s = openMarket();
        Api.Bettor bettor = Api.bettor(10_000);
        long won = bet(bettor, selection(s.market(), "1"), "2.00");
        long lost = bet(bettor, selection(s.market(), "2"), "3.00");

        // outcome 1 won with void factor 0.5: half the stake at 2.00, half refunded; outcome 2 lost, 0.5 refunded
        ingester.handle(new io.holdfast.feed.FeedMessage.BetSettlement(s.p().producer, Messages.now(), null, s.event(), 1,
                java.util.List.of(new FeedMessage.SettledMarket("1", java.util.List.of(
                        new FeedMessage.SettledOutcome("1", 1, new java.math.BigDecimal("0.5")),
                        new FeedMessage.SettledOutcome("2", 0, new java.math.BigDecimal("0.5")),
                        new FeedMessage.SettledOutcome("3", 0, null))))));
        await().atMost(Duration.ofSeconds(15)).until(() -> !status(lost).equals("ACCEPTED"));
        assertThat(Db.longValue("SELECT payout FROM bet WHERE id = ?", won)).isEqualTo(500 + 1_000);
        assertThat(Db.longValue("SELECT payout FROM bet WHERE id = ?", lost)).isEqualTo(500);
        assertThat(Api.balance(bettor)).isEqualTo(8_000 + 1_500 + 500);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    @Test
    void shouldTradeAMarketAgainAsTheFeedSaysWhenItsSettlementIsRolledBackDuringTheMatch() throws Exception {
        Setup s = openMarket();
        try (AutoCloseable alive = s.p().keepAlive(ingester)) {
            Api.Bettor bettor = Api.bettor(10_000);
            long bet = bet(bettor, selection(s.market(), "1"), "2.00");
            long beforeSettlement = Messages.now();
            long settledAt = Messages.now();
            ingester.handle(s.p().settlement(settledAt, s.event(), "1", 1, "1", 3));
            await().atMost(Duration.ofSeconds(15)).until(() -> Api.balance(bettor) == 11_000);
            await().atMost(Duration.ofSeconds(15)).until(() -> marketStatus(s.market()).equals("SETTLED"));

            ingester.handle(s.p().rollback(Messages.now(), s.event(), "1"));
            await().atMost(Duration.ofSeconds(15)).until(() -> Api.balance(bettor) == 9_000);
            assertThat(status(bet)).isEqualTo("ACCEPTED");
            assertThat(marketStatus(s.market())).as("the feed's last word on it was 'settled'").isEqualTo("SUSPENDED");
            // prices from before the settlement, late: they move nothing
            ingester.handle(s.p().odds(beforeSettlement, s.event(), null, Messages.market("1", 1, "5.00", "5.00", "5.00")));
            assertThat(marketStatus(s.market())).isEqualTo("SUSPENDED");
            // the feed prices it again: it trades at those prices
            ingester.handle(s.p().odds(Messages.now(), s.event(), null, Messages.market("1", 1, "1.80", "3.20", "4.40")));
            assertThat(marketStatus(s.market())).isEqualTo("OPEN");
            bet(bettor, selection(s.market(), "1"), "1.80");
            assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
        }
    }

    @Test
    void shouldLetTheBetsOfACancelWindowStandAgainWhenTheCancelIsRolledBack() throws Exception {
        Setup s = openMarket();
        Api.Bettor bettor = Api.bettor(10_000);
        long before = bet(bettor, selection(s.market(), "2"), "3.00");
        Thread.sleep(20);
        long from = System.currentTimeMillis();
        long inside = bet(bettor, selection(s.market(), "2"), "3.00");
        long to = System.currentTimeMillis() + 1;
        ingester.handle(s.p().cancel(Messages.now(), s.event(), "1", from, to));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(inside).equals("VOID"));
        assertThat(Api.balance(bettor)).isEqualTo(9_000);

        var rollback = s.p().rollbackCancel(Messages.now(), s.event(), "1", from, to);
        ingester.handle(rollback);
        await().atMost(Duration.ofSeconds(15)).until(() -> status(inside).equals("ACCEPTED"));
        assertThat(Api.balance(bettor)).isEqualTo(8_000);
        long revisions = Db.longValue("SELECT count(*) FROM market_result WHERE market_id = ?", s.market());
        ingester.handle(rollback); // the same message again changes nothing
        ingester.handle(s.p().rollbackCancel(Messages.now(), s.event(), "1", from, to)); // nor a newer one: undone
        assertThat(Db.longValue("SELECT count(*) FROM market_result WHERE market_id = ?", s.market())).isEqualTo(revisions);

        ingester.handle(s.p().settlement(Messages.now(), s.event(), "1", 1, "2", 3));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(inside).equals("WON"));
        assertThat(status(before)).isEqualTo("WON");
        assertThat(Api.balance(bettor)).isEqualTo(8_000 + 3_000 + 3_000);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    @Test
    void shouldRestoreTheResultAWholeMarketCancelReplacedWhenTheCancelIsRolledBack() {
        Setup s = openMarket();
        Api.Bettor bettor = Api.bettor(10_000);
        long won = bet(bettor, selection(s.market(), "1"), "2.00");
        long lost = bet(bettor, selection(s.market(), "2"), "3.00");
        ingester.handle(s.p().settlement(Messages.now(), s.event(), "1", 1, "1", 3));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(lost).equals("LOST"));
        assertThat(Api.balance(bettor)).isEqualTo(8_000 + 2_000);

        ingester.handle(s.p().cancel(Messages.now(), s.event(), "1", null, null)); // the whole market void
        await().atMost(Duration.ofSeconds(15)).until(() -> status(lost).equals("VOID"));
        assertThat(Api.balance(bettor)).isEqualTo(10_000);

        ingester.handle(s.p().rollbackCancel(Messages.now(), s.event(), "1", null, null));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(lost).equals("LOST"));
        assertThat(status(won)).isEqualTo("WON");
        assertThat(Api.balance(bettor)).isEqualTo(8_000 + 2_000);
        await("the result in force again: the market settled").atMost(Duration.ofSeconds(15))
                .until(() -> marketStatus(s.market()).equals("SETTLED"));
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    private static String marketStatus(long market) {
        return Db.string("SELECT status FROM market WHERE id = ?", market);
    }
}
