package io.holdfast.feed;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The feed's messages, as Sportradar's Unified Odds Feed defines them (its XML elements and attributes, here as JSON
 * with the same names). None carries a sequence number: only the producer, the producer's timestamp (epoch ms), the
 * event and, for the answers to a recovery request, its request id. Ordering and idempotency are ours.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({ @JsonSubTypes.Type(value = FeedMessage.OddsChange.class, name = "odds_change"),
        @JsonSubTypes.Type(value = FeedMessage.BetStop.class, name = "bet_stop"),
        @JsonSubTypes.Type(value = FeedMessage.BetSettlement.class, name = "bet_settlement"),
        @JsonSubTypes.Type(value = FeedMessage.RollbackBetSettlement.class, name = "rollback_bet_settlement"),
        @JsonSubTypes.Type(value = FeedMessage.BetCancel.class, name = "bet_cancel"),
        @JsonSubTypes.Type(value = FeedMessage.RollbackBetCancel.class, name = "rollback_bet_cancel"),
        @JsonSubTypes.Type(value = FeedMessage.FixtureChange.class, name = "fixture_change"),
        @JsonSubTypes.Type(value = FeedMessage.Alive.class, name = "alive"),
        @JsonSubTypes.Type(value = FeedMessage.SnapshotComplete.class, name = "snapshot_complete") })
@JsonIgnoreProperties(ignoreUnknown = true)
sealed interface FeedMessage {

    String producer();

    long timestamp();

    /** Set on the messages that answer a recovery request (they may be old: no lag is measured on them). */
    default Long requestId() {
        return null;
    }

    /** UOF market status codes (odds_change, bet_stop). */
    int ACTIVE = 1;
    int SUSPENDED = -1;
    int DEACTIVATED = 0;
    int HANDED_OVER = -2;
    int SETTLED = -3;
    int CANCELLED = -4;

    /** UOF sport event status codes (odds_change's sport_event_status). */
    int NOT_STARTED = 0;
    int LIVE = 1;
    int ENDED = 3;
    int CLOSED = 4;
    int EVENT_CANCELLED = 5;
    int ABANDONED = 9;

    /** What the SDK's Sports API would say about an event; carried inline here (name, start, sport). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Fixture(String name, @JsonProperty("start_time") Long startTime, String sport, String competition) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Outcome(String id, String name, BigDecimal odds, Integer active) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Market(String id, String name, Integer status, List<Outcome> outcomes) {
    }

    /** New prices and market statuses for some of an event's markets: the markets not named stay as they were. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record OddsChange(String producer, long timestamp, @JsonProperty("request_id") Long requestId,
            @JsonProperty("event_id") String eventId, Fixture fixture,
            @JsonProperty("sport_event_status") Integer sportEventStatus, List<Market> markets) implements FeedMessage {
    }

    /** Moves the event's active markets (all, or the ones named) to suspended (or the status given). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record BetStop(String producer, long timestamp, @JsonProperty("request_id") Long requestId,
            @JsonProperty("event_id") String eventId, String groups, @JsonProperty("market_status") Integer marketStatus,
            List<String> markets) implements FeedMessage {
    }

    /** A result: 1 won, 0 lost; void_factor 1 refunds the stake, 0.5 half of it (the rest is settled by result). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record SettledOutcome(String id, Integer result, @JsonProperty("void_factor") BigDecimal voidFactor) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SettledMarket(String id, List<SettledOutcome> outcomes) {
    }

    /** certainty 1: live-scouted, 2: confirmed. The same result again pays nothing more; a different one resettles. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record BetSettlement(String producer, long timestamp, @JsonProperty("request_id") Long requestId,
            @JsonProperty("event_id") String eventId, Integer certainty, List<SettledMarket> markets)
            implements FeedMessage {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record MarketRef(String id) {
    }

    /** Undoes a bet_settlement: the markets are unsettled again, payouts reverted. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RollbackBetSettlement(String producer, long timestamp, @JsonProperty("request_id") Long requestId,
            @JsonProperty("event_id") String eventId, List<MarketRef> markets) implements FeedMessage {
    }

    /** Voids the bets placed between start_time and end_time (either may be absent: open ended) on the markets. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record BetCancel(String producer, long timestamp, @JsonProperty("request_id") Long requestId,
            @JsonProperty("event_id") String eventId, @JsonProperty("start_time") Long startTime,
            @JsonProperty("end_time") Long endTime, List<MarketRef> markets) implements FeedMessage {
    }

    /** Undoes a bet_cancel (the same window, or the whole market when none): its bets stand again. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RollbackBetCancel(String producer, long timestamp, @JsonProperty("request_id") Long requestId,
            @JsonProperty("event_id") String eventId, @JsonProperty("start_time") Long startTime,
            @JsonProperty("end_time") Long endTime, List<MarketRef> markets) implements FeedMessage {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record FixtureChange(String producer, long timestamp, @JsonProperty("request_id") Long requestId,
            @JsonProperty("event_id") String eventId, Fixture fixture) implements FeedMessage {
    }

    /** Every second per producer here (10 s in UOF); subscribed=0 means "you must recover". */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Alive(String producer, long timestamp, Integer subscribed) implements FeedMessage {
    }

    /** Ends the recovery with this request id: the producer is up again. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record SnapshotComplete(String producer, long timestamp, @JsonProperty("request_id") Long requestId)
            implements FeedMessage {
    }
}
