package io.holdfast.feed;

import static io.holdfast.feed.FeedIngestionTest.market;
import static io.holdfast.feed.FeedIngestionTest.selection;
import static io.holdfast.feed.FeedIngestionTest.status;
import static io.holdfast.feed.FeedIngestionTest.unique;
import static io.holdfast.feed.FeedIngestionTest.up;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.holdfast.cluster.ClusterState;
import io.holdfast.odds.OddsBook;
import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/** A producer that goes quiet (or says subscribed=0, or whose messages we apply late) is down: its markets take no bet. */
@QuarkusTest
class ProducerDownTest {

    @Inject
    FeedIngester ingester;

    @Inject
    OddsBook book;

    @Inject
    ClusterState cluster;

    @BeforeEach
    void active() {
        await().atMost(Duration.ofSeconds(20)).until(cluster::isActive);
    }

    @Test
    void shouldSuspendASilentProducersMarketsRejectItsPendingLiveBetsAndReopenThemAtSnapshotComplete() throws Exception {
        Messages quiet = new Messages(unique("quiet"));
        Messages other = new Messages(unique("other"));
        Api.Bettor bettor = Api.bettor(10_000);
        up(ingester, other);
        ScheduledExecutorService alive = Executors.newSingleThreadScheduledExecutor();
        try {
            alive.scheduleAtFixedRate(() -> ingester.handle(other.alive(Messages.now())), 0, 500, TimeUnit.MILLISECONDS);
            up(ingester, quiet);
            ingester.handle(quiet.alive(Messages.now())); // processed while UP: where a recovery will start
            String event = "sr:match:" + unique("");
            String otherEvent = "sr:match:" + unique("");
            ingester.handle(other.odds(Messages.now(), otherEvent, null, Messages.market("1", 1, "1.50", "4.00", "6.00")));
            ingester.handle(quiet.odds(Messages.now(), event, FeedMessage.LIVE,
                    Messages.market("1", 1, "2.00", "3.00", "4.00")));
            long lastMessage = System.nanoTime(); // the quiet producer's last one
            long market = market(event, "1");
            long otherMarket = market(otherEvent, "1");
            Thread.sleep(1_500); // the bet's live delay (2 s in tests) then ends after the producer is down (3 s)
            long pending = Api.as(bettor).body(Api.single(unique("live"), 100, selection(market, "1"), "2.00", "NONE"))
                    .post("/api/bets").then().statusCode(201).body("status", equalTo("PENDING")).extract().jsonPath()
                    .getLong("id");

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> status(market).equals("SUSPENDED"));
            long detectedMillis = (System.nanoTime() - lastMessage) / 1_000_000;
            assertThat(detectedMillis).as("max-inactivity 3 s, checked every 50 ms").isBetween(2_900L, 3_500L);

            assertThat(Db.string("SELECT status FROM feed_producer WHERE name = ?", quiet.producer)).isEqualTo("DOWN");
            assertThat(book.quote(selection(market, "1")).orElseThrow().open()).isFalse();
            Api.as(bettor).body(Api.single(unique("late"), 100, selection(market, "1"), "2.00", "NONE")).post("/api/bets")
                    .then().statusCode(409).body("code", equalTo("MARKET_SUSPENDED"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !Api.as(bettor).get("/api/bets/" + pending).then()
                    .extract().jsonPath().getString("status").equals("PENDING"));
            Api.as(bettor).get("/api/bets/" + pending).then().body("status", equalTo("REJECTED"))
                    .body("rejectReason", equalTo("MARKET_SUSPENDED"));
            assertThat(status(otherMarket)).as("the other producer's markets are untouched").isEqualTo("OPEN");

            // the producer talks again: it recovers, and only its snapshot_complete reopens the market at its prices now
            ingester.handle(quiet.alive(Messages.now()));
            assertThat(Db.string("SELECT status FROM feed_producer WHERE name = ?", quiet.producer)).isEqualTo("RECOVERING");
            long request = Db.longValue("SELECT recovery_request_id FROM feed_producer WHERE name = ?", quiet.producer);
            assertThat(Db.longValue("SELECT recovery_after FROM feed_producer WHERE name = ?", quiet.producer))
                    .as("recovery from the last alive processed while up").isPositive();
            ingester.handle(quiet.odds(Messages.now(), event, null, Messages.market("1", 1, "1.70", "3.50", "4.50")));
            assertThat(status(market)).isEqualTo("SUSPENDED");
            ingester.handle(quiet.snapshotComplete(request));
            assertThat(status(market)).isEqualTo("OPEN");
            assertThat(book.quote(selection(market, "1")).orElseThrow().odds()).isEqualByComparingTo("1.70");
            Api.as(bettor).body(Api.single(unique("again"), 100, selection(market, "1"), "1.70", "NONE")).post("/api/bets")
                    .then().statusCode(201);
            Api.ops().get("/api/ops/feed").then().statusCode(200)
                    .body("producers.name", hasItem(quiet.producer))
                    .body("producers.find { it.name == '" + quiet.producer + "' }.status", equalTo("UP"))
                    .body("producers.find { it.name == '" + quiet.producer + "' }.lastAliveAt", notNullValue())
                    .body("producers.find { it.name == '" + quiet.producer + "' }.lastRecovery.tookMillis", notNullValue());
        } finally {
            alive.shutdownNow();
            alive.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldTakeAProducerDownWhenItsAliveSaysSubscribedZeroOrWeApplyItsMessagesLate() {
        Messages p = new Messages(unique("unsub"));
        up(ingester, p);
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00")));
        long market = market(event, "1");
        assertThat(status(market)).isEqualTo("OPEN");

        ingester.handle(p.unsubscribed(Messages.now()));
        assertThat(status(market)).isEqualTo("SUSPENDED");
        assertThat(Db.string("SELECT status FROM feed_producer WHERE name = ?", p.producer)).isEqualTo("RECOVERING");
        ingester.handle(p.snapshotComplete(Db.longValue("SELECT recovery_request_id FROM feed_producer WHERE name = ?",
                p.producer)));
        assertThat(status(market)).isEqualTo("OPEN");

        // a message 5 s behind the producer's clock: we lag more than max-inactivity
        ingester.handle(p.betStop(System.currentTimeMillis() - 5_000, "sr:match:none"));
        assertThat(Db.string("SELECT status FROM feed_producer WHERE name = ?", p.producer)).isEqualTo("DOWN");
        assertThat(status(market)).isEqualTo("SUSPENDED");
        Api.anonymous().get("/api/ops/feed").then().statusCode(401);
    }

    @Test
    void shouldTakeAProducerDownWhileTheIngesterIsStuckInOneOfItsMessages() throws Exception {
        Messages p = new Messages(unique("stuck"));
        up(ingester, p);
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now() - 2_000, event, null, Messages.market("1", 1, "2.00", "3.00", "4.00")));
        long market = market(event, "1");
        assertThat(status(market)).isEqualTo("OPEN");

        // another transaction holds the market: the next odds_change (1.5 s old when it comes) waits for it, 2.5 s
        var applying = Executors.newSingleThreadExecutor();
        try (java.sql.Connection c = io.holdfast.support.Db.connect()) {
            c.setAutoCommit(false);
            try (var lock = c.prepareStatement("SELECT id FROM market WHERE id = ? FOR UPDATE")) {
                lock.setLong(1, market);
                lock.executeQuery().close();
            }
            long sent = System.currentTimeMillis();
            var done = applying.submit(() -> ingester.handle(p.odds(Messages.now() - 1_500, event, null,
                    Messages.market("1", 1, "2.10", "3.00", "3.80"))));
            Thread.sleep(2_500);
            c.rollback();
            done.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> "DOWN".equals(
                    Db.string("SELECT status FROM feed_producer WHERE name = ?", p.producer)));
            // taken down by the watcher while stuck (3 s after the message's timestamp), not by the silence timer
            // (3 s after it came) nor only once the message was through
            assertThat(Db.string("SELECT down_reason FROM feed_producer WHERE name = ?", p.producer)).contains("stuck");
            assertThat(status(market)).isEqualTo("SUSPENDED");
            assertThat(System.currentTimeMillis() - sent).isLessThan(6_000);
        } finally {
            applying.shutdownNow();
        }
    }

    @Test
    void shouldTakeAProducerDownWhenOneOfItsMessagesCannotBeApplied() {
        Messages p = new Messages(unique("poison"));
        up(ingester, p);
        String event = "sr:match:" + unique("");
        ingester.handle(p.odds(Messages.now(), event, null, Messages.market("1", 1, "2.00", "3.00", "4.00")));
        long market = market(event, "1");
        assertThat(status(market)).isEqualTo("OPEN");

        // a settlement naming an outcome the market does not have fails: what it should have changed is unknown
        ingester.handle(p.settlement(Messages.now(), event, "1", 1, "1", 9));
        assertThat(Db.string("SELECT status FROM feed_producer WHERE name = ?", p.producer)).isEqualTo("DOWN");
        assertThat(Db.string("SELECT down_reason FROM feed_producer WHERE name = ?", p.producer))
                .contains("bet_settlement");
        assertThat(status(market)).isEqualTo("SUSPENDED");
        // its next alive asks to recover from before it: the message is sent again
        ingester.handle(p.alive(Messages.now()));
        assertThat(Db.string("SELECT status FROM feed_producer WHERE name = ?", p.producer)).isEqualTo("RECOVERING");
    }
}
