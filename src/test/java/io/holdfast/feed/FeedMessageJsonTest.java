package io.holdfast.feed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The feed's JSON (UOF's names) read into the message model, unknown fields ignored. */
class FeedMessageJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Test
    void shouldReadEveryMessageType() throws Exception {
        FeedMessage odds = JSON.readValue("""
                {"type":"odds_change","producer":"live","timestamp":1700000000001,"event_id":"sr:match:1",
                 "sport_event_status":1,"fixture":{"name":"A vs B","start_time":1700000000000,"sport":"Soccer"},
                 "markets":[{"id":"1","name":"1X2","status":-2,"outcomes":[{"id":"1","name":"A","odds":2.10,"active":1}]}],
                 "future":"ignored"}""", FeedMessage.class);
        assertThat(odds).isInstanceOf(FeedMessage.OddsChange.class);
        FeedMessage.OddsChange oc = (FeedMessage.OddsChange) odds;
        assertThat(oc.markets().get(0).status()).isEqualTo(FeedMessage.HANDED_OVER);
        assertThat(oc.markets().get(0).outcomes().get(0).odds()).isEqualByComparingTo("2.10");
        assertThat(oc.fixture().startTime()).isEqualTo(1_700_000_000_000L);
        assertThat(oc.requestId()).isNull();

        FeedMessage.BetSettlement settled = (FeedMessage.BetSettlement) JSON.readValue("""
                {"type":"bet_settlement","producer":"live","timestamp":5,"request_id":77,"event_id":"sr:match:1",
                 "certainty":2,"markets":[{"id":"1","outcomes":[{"id":"1","result":1,"void_factor":0.5}]}]}""",
                FeedMessage.class);
        assertThat(settled.requestId()).isEqualTo(77L);
        assertThat(settled.markets().get(0).outcomes().get(0).voidFactor()).isEqualByComparingTo("0.5");

        assertThat(JSON.readValue("{\"type\":\"alive\",\"producer\":\"prematch\",\"timestamp\":1,\"subscribed\":0}",
                FeedMessage.class)).isEqualTo(new FeedMessage.Alive("prematch", 1, 0));
        assertThat(JSON.readValue("{\"type\":\"snapshot_complete\",\"producer\":\"live\",\"timestamp\":1,\"request_id\":9}",
                FeedMessage.class)).isEqualTo(new FeedMessage.SnapshotComplete("live", 1, 9L));
        assertThat(JSON.readValue("{\"type\":\"bet_stop\",\"producer\":\"live\",\"timestamp\":1,\"event_id\":\"e\",\"groups\":\"all\"}",
                FeedMessage.class)).isInstanceOf(FeedMessage.BetStop.class);
        assertThat(JSON.readValue("{\"type\":\"bet_cancel\",\"producer\":\"live\",\"timestamp\":1,\"event_id\":\"e\","
                + "\"start_time\":3,\"markets\":[{\"id\":\"18\"}]}", FeedMessage.class))
                .isEqualTo(new FeedMessage.BetCancel("live", 1, null, "e", 3L, null,
                        java.util.List.of(new FeedMessage.MarketRef("18"))));
        assertThat(JSON.readValue("{\"type\":\"rollback_bet_cancel\",\"producer\":\"live\",\"timestamp\":2,"
                + "\"event_id\":\"e\",\"end_time\":4,\"markets\":[{\"id\":\"18\"}]}", FeedMessage.class))
                .isEqualTo(new FeedMessage.RollbackBetCancel("live", 2, null, "e", null, 4L,
                        java.util.List.of(new FeedMessage.MarketRef("18"))));
        assertThat(JSON.readValue("{\"type\":\"rollback_bet_settlement\",\"producer\":\"live\",\"timestamp\":1,"
                + "\"event_id\":\"e\",\"markets\":[{\"id\":\"1\"}]}", FeedMessage.class))
                .isInstanceOf(FeedMessage.RollbackBetSettlement.class);
        assertThat(JSON.readValue("{\"type\":\"fixture_change\",\"producer\":\"prematch\",\"timestamp\":1,"
                + "\"event_id\":\"e\",\"fixture\":{\"start_time\":9}}", FeedMessage.class))
                .isInstanceOf(FeedMessage.FixtureChange.class);
    }
}
