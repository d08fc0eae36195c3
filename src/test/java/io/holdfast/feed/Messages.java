package io.holdfast.feed;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.holdfast.feed.FeedMessage.Market;
import io.holdfast.feed.FeedMessage.Outcome;

/** Builds feed messages for in-process tests: one producer, timestamps from the wall clock, strictly increasing. */
final class Messages {

    private static final AtomicLong CLOCK = new AtomicLong();

    final String producer;

    Messages(String producer) {
        this.producer = producer;
    }

    /** A producer timestamp later than every one handed out before (and close to now: no lag). */
    static long now() {
        return CLOCK.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis()));
    }

    /** A 1X2 market "1" with outcomes 1, 2, 3 at these odds, status ACTIVE (1) unless given. */
    static Market market(String id, int status, String... odds) {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < odds.length; i++) {
            outcomes.add(new Outcome(String.valueOf(i + 1), "Outcome " + (i + 1), new BigDecimal(odds[i]), 1));
        }
        return new Market(id, "Market " + id, status, outcomes);
    }

    FeedMessage.OddsChange odds(long ts, String event, Integer eventStatus, Market... markets) {
        return new FeedMessage.OddsChange(producer, ts, null, event,
                new FeedMessage.Fixture("Match " + event, System.currentTimeMillis() + 3_600_000, "Soccer", "Test League"),
                eventStatus, List.of(markets));
    }

    FeedMessage.BetStop betStop(long ts, String event) {
        return new FeedMessage.BetStop(producer, ts, null, event, "all", null, null);
    }

    FeedMessage.Alive alive(long ts) {
        return new FeedMessage.Alive(producer, ts, 1);
    }

    FeedMessage.Alive unsubscribed(long ts) {
        return new FeedMessage.Alive(producer, ts, 0);
    }

    FeedMessage.SnapshotComplete snapshotComplete(long requestId) {
        return new FeedMessage.SnapshotComplete(producer, now(), requestId);
    }

    /** Outcome {@code winner} of the market won (result 1), the others lost. */
    FeedMessage.BetSettlement settlement(long ts, String event, String market, int certainty, String winner,
            int outcomes) {
        List<FeedMessage.SettledOutcome> settled = new ArrayList<>();
        for (int i = 1; i <= outcomes; i++) {
            settled.add(new FeedMessage.SettledOutcome(String.valueOf(i), String.valueOf(i).equals(winner) ? 1 : 0, null));
        }
        return new FeedMessage.BetSettlement(producer, ts, null, event, certainty,
                List.of(new FeedMessage.SettledMarket(market, settled)));
    }

    /** Outcome {@code outcome} of the market with this result and void factor, the other outcomes lost. */
    FeedMessage.BetSettlement settlement(long ts, String event, String market, int certainty, String outcome, int result,
            String voidFactor, int outcomes) {
        List<FeedMessage.SettledOutcome> settled = new ArrayList<>();
        for (int i = 1; i <= outcomes; i++) {
            boolean it = String.valueOf(i).equals(outcome);
            settled.add(new FeedMessage.SettledOutcome(String.valueOf(i), it ? result : 0,
                    it && voidFactor != null ? new BigDecimal(voidFactor) : null));
        }
        return new FeedMessage.BetSettlement(producer, ts, null, event, certainty,
                List.of(new FeedMessage.SettledMarket(market, settled)));
    }

    FeedMessage.RollbackBetSettlement rollback(long ts, String event, String market) {
        return new FeedMessage.RollbackBetSettlement(producer, ts, null, event, List.of(new FeedMessage.MarketRef(market)));
    }

    FeedMessage.BetCancel cancel(long ts, String event, String market, Long startTime, Long endTime) {
        return new FeedMessage.BetCancel(producer, ts, null, event, startTime, endTime,
                List.of(new FeedMessage.MarketRef(market)));
    }

    FeedMessage.RollbackBetCancel rollbackCancel(long ts, String event, String market, Long startTime, Long endTime) {
        return new FeedMessage.RollbackBetCancel(producer, ts, null, event, startTime, endTime,
                List.of(new FeedMessage.MarketRef(market)));
    }

    /** Sends this producer's alive every 500 ms until closed (a producer silent for 3 s is down). */
    AutoCloseable keepAlive(FeedIngester ingester) {
        java.util.concurrent.ScheduledExecutorService alive = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        alive.scheduleAtFixedRate(() -> ingester.handle(alive(now())), 500, 500,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        return () -> {
            alive.shutdownNow();
            alive.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        };
    }
}
