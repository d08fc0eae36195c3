package io.holdfast.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.holdfast.cluster.ClusterState;
import io.holdfast.odds.OddsBook;
import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Feed messages fed in-process to the ingester, against the real database and odds book: what they create, what a
 * duplicate or an older message leaves alone, and who wins between the feed and a trader.
 */
@QuarkusTest
class FeedIngestionTest {

    @Inject
    FeedIngester ingester;

    @Inject
    OddsBook book;

    @Inject
    ClusterState cluster;

    private final List<AutoCloseable> keptAlive = new ArrayList<>();

    @BeforeEach
    void active() {
        await().atMost(Duration.ofSeconds(20)).until(cluster::isActive);
    }

    @AfterEach
    void quiet() throws Exception {
        for (AutoCloseable alive : keptAlive) {
            alive.close();
        }
        keptAlive.clear();
    }

    /** Up, and kept up with an alive every 500 ms for the rest of the test. */
    private void upAndAlive(Messages p) {
        up(ingester, p);
        keptAlive.add(p.keepAlive(ingester));
    }

    static String unique(String prefix) {
        return Api.unique(prefix);
    }

    /** The producer recovers (alive, its recovery request, snapshot_complete) and is UP. */
    static void up(FeedIngester ingester, Messages p) {
        ingester.handle(p.alive(Messages.now()));
        assertThat(Db.string("SELECT status FROM feed_producer WHERE name = ?", p.producer)).isEqualTo("RECOVERING");
        long request = Db.longValue("SELECT recovery_request_id FROM feed_producer WHERE name = ?", p.producer);
        ingester.handle(p.snapshotComplete(request));
        assertThat(Db.string("SELECT status FROM feed_producer WHERE name = ?", p.producer)).isEqualTo("UP");
    }

    static long market(String event, String market) {
        return Db.longValue("SELECT m.id FROM market m JOIN event e ON e.id = m.event_id WHERE e.feed_ref = ? "
                + "AND m.feed_ref = ?", event, market);
    }

    static long selection(long market, String outcome) {
        return Db.longValue("SELECT id FROM selection WHERE market_id = ? AND feed_ref = ?", market, outcome);
    }

    static String status(long market) {
        return Db.string("SELECT status FROM market WHERE id = ?", market);
    }

    static int place(Api.Bettor bettor, long selection, String odds) {
        return Api.as(bettor).body(Api.single(unique("feed-bet"), 100, selection, odds, "NONE")).post("/api/bets")
                .then().extract().statusCode();
    }

    @Test
    void shouldCreateAFeedMarketThatTakesBetsOnlyOnceItsProducerIsUp() {
        Messages p = new Messages(unique("pre"));
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.10", "3.40", "3.60")));

        long market = market(event, "1");
        assertThat(Db.string("SELECT source || '/' || producer FROM market WHERE id = ?", market)).isEqualTo("FEED/" + p.producer);
        assertThat(Db.string("SELECT source || '/' || producer FROM event WHERE feed_ref = ?", event)).isEqualTo("FEED/" + p.producer);
        assertThat(status(market)).as("a producer never seen up yet").isEqualTo("SUSPENDED");
        Api.Bettor bettor = Api.bettor(10_000);
        assertThat(place(bettor, selection(market, "1"), "2.10")).isEqualTo(409);

        upAndAlive(p);
        assertThat(status(market)).isEqualTo("OPEN");
        assertThat(book.quote(selection(market, "1")).orElseThrow().open()).isTrue();
        assertThat(place(bettor, selection(market, "1"), "2.10")).isEqualTo(201);
        Api.anonymous().get("/api/events/" + Db.longValue("SELECT id FROM event WHERE feed_ref = ?", event)).then()
                .statusCode(200).body("source", equalTo("FEED")).body("markets[0].producer", equalTo(p.producer))
                .body("markets[0].selections[0].odds", equalTo(2.10f));
    }

    @Test
    void shouldChangeNothingOnADuplicateOrAnOlderMessage() {
        Messages p = new Messages(unique("pre"));
        upAndAlive(p);
        String event = "sr:match:" + unique("");
        long t1 = Messages.now();
        long t2 = Messages.now();
        var newer = p.odds(t2, event, null, Messages.market("1", 1, "2.50", "3.00", "3.20"));
        ingester.handle(newer);
        long market = market(event, "1");
        long sel = selection(market, "1");
        long history = Db.longValue("SELECT count(*) FROM price_history WHERE selection_id = ?", sel);

        ingester.handle(newer); // the same message again
        ingester.handle(p.odds(t1, event, null, Messages.market("1", 1, "9.00", "9.00", "9.00"))); // older, late
        ingester.handle(p.betStop(t1, event)); // an older bet stop

        assertThat(Db.string("SELECT odds::text || ' v' || version FROM selection WHERE id = ?", sel)).isEqualTo("2.50 v1");
        assertThat(Db.longValue("SELECT count(*) FROM price_history WHERE selection_id = ?", sel)).isEqualTo(history);
        assertThat(status(market)).isEqualTo("OPEN");
        assertThat(book.quote(sel).orElseThrow().odds()).isEqualByComparingTo("2.50");
    }

    @Test
    void shouldRefuseBetsAfterABetStopAndTakeThemAgainAtTheNewPrices() {
        Messages p = new Messages(unique("pre"));
        upAndAlive(p);
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00"),
                Messages.market("18", 1, "1.90", "1.90")));
        long market = market(event, "1");
        long other = market(event, "18");
        Api.Bettor bettor = Api.bettor(10_000);

        ingester.handle(p.betStop(Messages.now(), event));
        assertThat(status(market)).isEqualTo("SUSPENDED");
        assertThat(status(other)).isEqualTo("SUSPENDED");
        Api.as(bettor).body(Api.single(unique("stop"), 100, selection(market, "1"), "2.00", "NONE")).post("/api/bets")
                .then().statusCode(409).body("code", equalTo("MARKET_SUSPENDED"));

        // a subset of the markets: the other one stays as it was
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.20", "3.00", "3.80")));
        assertThat(status(market)).isEqualTo("OPEN");
        assertThat(status(other)).isEqualTo("SUSPENDED");
        Api.as(bettor).body(Api.single(unique("old-price"), 100, selection(market, "1"), "2.30", "NONE"))
                .post("/api/bets").then().statusCode(409).body("code", equalTo("ODDS_CHANGED"));
        assertThat(place(bettor, selection(market, "1"), "2.20")).isEqualTo(201);
    }

    @Test
    void shouldSuspendEveryMarketOfTheEventOnABetStopForAGroupItCannotResolve() {
        Messages p = new Messages(unique("pre"));
        upAndAlive(p);
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00"),
                Messages.market("18", 1, "1.90", "1.90")));
        // UOF's groups come from market descriptions we do not hold: the safe reading is every market of the event
        ingester.handle(new FeedMessage.BetStop(p.producer, Messages.now(), null, event, "score", null, null));
        assertThat(status(market(event, "1"))).isEqualTo("SUSPENDED");
        assertThat(status(market(event, "18"))).isEqualTo("SUSPENDED");
        // a bet stop naming its markets stops only those
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00"),
                Messages.market("18", 1, "1.90", "1.90")));
        ingester.handle(new FeedMessage.BetStop(p.producer, Messages.now(), null, event, null, null, List.of("18")));
        assertThat(status(market(event, "1"))).isEqualTo("OPEN");
        assertThat(status(market(event, "18"))).isEqualTo("SUSPENDED");
    }

    @Test
    void shouldKeepATradersSuspensionOverTheFeedAndTheFeedsOverTheTradersResume() {
        Messages p = new Messages(unique("pre"));
        upAndAlive(p);
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00")));
        long market = market(event, "1");

        Api.admin().post("/api/admin/markets/" + market + "/suspend").then().statusCode(200)
                .body("status", equalTo("SUSPENDED"));
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.05", "3.00", "4.00")));
        assertThat(status(market)).as("the trader's hold wins over the feed's active").isEqualTo("SUSPENDED");
        assertThat(Db.string("SELECT odds::text FROM selection WHERE id = ?", selection(market, "1")))
                .as("prices still follow the feed").isEqualTo("2.05");

        ingester.handle(p.betStop(Messages.now(), event));
        Api.admin().post("/api/admin/markets/" + market + "/resume").then().statusCode(200)
                .body("status", equalTo("SUSPENDED"));
        assertThat(status(market)).as("lifting the hold leaves the feed's bet stop").isEqualTo("SUSPENDED");

        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.10", "3.00", "4.00")));
        assertThat(status(market)).isEqualTo("OPEN");
        assertThat(book.quote(selection(market, "1")).orElseThrow().open()).isTrue();
    }

    @Test
    void shouldPayOnceWhenCertaintyTwoConfirmsCertaintyOneAndResettleWhenTheResultDiffers() {
        Messages p = new Messages(unique("pre"));
        upAndAlive(p);
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00")));
        long market = market(event, "1");
        Api.Bettor bettor = Api.bettor(10_000);
        assertThat(place(bettor, selection(market, "1"), "2.00")).isEqualTo(201);
        assertThat(Api.balance(bettor)).isEqualTo(9_900);

        ingester.handle(p.odds(Messages.now(), event, FeedMessage.ENDED));
        assertThat(status(market)).isEqualTo("CLOSED");
        var first = p.settlement(Messages.now(), event, "1", 1, "1", 3);
        ingester.handle(first);
        await().atMost(Duration.ofSeconds(15)).until(() -> Api.balance(bettor) == 10_100);

        ingester.handle(p.settlement(Messages.now(), event, "1", 2, "1", 3));
        ingester.handle(first); // a duplicate of the first one, late
        assertThat(Db.longValue("SELECT max(revision) FROM market_result WHERE market_id = ?", market)).isEqualTo(1);
        assertThat(Db.longValue("SELECT feed_certainty FROM market WHERE id = ?", market)).isEqualTo(2);

        ingester.handle(p.settlement(Messages.now(), event, "1", 2, "2", 3)); // a corrected result
        await().atMost(Duration.ofSeconds(15)).until(() -> Api.balance(bettor) == 9_900);
        assertThat(Db.longValue("SELECT count(*) FROM ledger_entry l JOIN bet b ON b.id = l.bet_id WHERE "
                + "b.account_id = ? AND l.type = 'PAYOUT' AND l.book = 'PLAYER'", bettor.id())).isEqualTo(1);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
    }

    @Test
    void shouldHandAPrematchMarketOverToTheLiveProducerAndNeverBack() {
        Messages pre = new Messages(unique("pre"));
        Messages live = new Messages("live");
        upAndAlive(pre);
        upAndAlive(live);
        String event = "sr:match:" + unique("");
        ingester.handle(pre.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00")));
        long market = market(event, "1");

        ingester.handle(pre.odds(Messages.now(), event, null, Messages.market("1", FeedMessage.HANDED_OVER)));
        assertThat(Db.string("SELECT producer || '/' || status FROM market WHERE id = ?", market)).isEqualTo("live/SUSPENDED");
        ingester.handle(live.odds(Messages.now(), event, FeedMessage.LIVE, Messages.market("1", 1, "1.80", "3.20", "5.00")));
        assertThat(Db.string("SELECT producer || '/' || status FROM market WHERE id = ?", market)).isEqualTo("live/OPEN");
        assertThat(Db.string("SELECT status FROM event WHERE feed_ref = ?", event)).isEqualTo("LIVE");

        ingester.handle(pre.odds(Messages.now(), event, null, Messages.market("1", 1, "9.00", "9.00", "9.00")));
        assertThat(Db.string("SELECT odds::text FROM selection WHERE id = ?", selection(market, "1"))).isEqualTo("1.80");
    }

    @Test
    void shouldRecordWhatTheFeedChangesInTheOutboxOnceAndNothingForADuplicate() {
        Messages p = new Messages(unique("outbox"));
        upAndAlive(p);
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00")));
        long market = market(event, "1");
        assertThat(events("market.status-changed", market, "to")).as("created suspended, opened").containsExactly(
                "SUSPENDED", "OPEN");

        var prices = p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.20", "3.00", "3.60"));
        ingester.handle(prices);
        ingester.handle(prices); // a duplicate: no change, no event
        assertThat(events("market.price-changed", market, "odds")).containsExactly("2.20", "3.60");

        ingester.handle(p.betStop(Messages.now(), event));
        ingester.handle(p.odds(Messages.now(), event, FeedMessage.ENDED));
        assertThat(events("market.status-changed", market, "to")).containsExactly("SUSPENDED", "OPEN", "SUSPENDED",
                "CLOSED");
    }

    /** The outbox's events of this type about this market, in order: this field of each payload. */
    private static List<String> events(String type, long market, String field) {
        List<String> out = new ArrayList<>();
        try (var c = Db.connect(); var ps = c.prepareStatement("SELECT payload ->> ? FROM event_outbox "
                + "WHERE type = ? AND aggregate_key = ? ORDER BY id")) {
            ps.setString(1, field);
            ps.setString(2, type);
            ps.setString(3, Long.toString(market));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
