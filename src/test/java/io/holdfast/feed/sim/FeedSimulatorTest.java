package io.holdfast.feed.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The simulator's matches: the same history from the same seed, and the UOF sequence of a match. */
class FeedSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static FeedSimulator sim(long seed) {
        return new FeedSimulator(seed, 1_700_000_000_000L, 60_000, 120_000, 3);
    }

    @Test
    void shouldPlayTheSameMatchFromTheSameSeedAfterARestart() {
        assertThat(sim(42).timeline(7)).isEqualTo(sim(42).timeline(7));
        assertThat(sim(42).timeline(7)).isNotEqualTo(sim(43).timeline(7));
    }

    @Test
    void shouldSendAMatchAsUofDoesWithTimestampsRisingPerProducer() throws Exception {
        FeedSimulator sim = sim(7);
        for (int k = 0; k < 20; k++) {
            List<FeedSimulator.Msg> msgs = sim.timeline(k);
            Map<String, Long> last = new HashMap<>();
            List<String> types = new java.util.ArrayList<>();
            for (FeedSimulator.Msg m : msgs) {
                JsonNode json = JSON.readTree(m.json());
                assertThat(json.path("producer").asText()).isEqualTo(m.producer());
                assertThat(json.path("timestamp").asLong()).isEqualTo(m.ts());
                assertThat(m.ts()).as("timestamps rise per producer").isGreaterThan(last.getOrDefault(m.producer(), 0L));
                last.put(m.producer(), m.ts());
                types.add(m.producer() + ":" + json.path("type").asText()
                        + (json.has("certainty") ? json.path("certainty").asInt() : ""));
            }
            long kickoff = sim.created(k) + 60_000;
            assertThat(msgs.get(0).json()).contains("\"fixture\"").contains("\"start_time\":" + kickoff);
            assertThat(msgs).anyMatch(m -> m.ts() == kickoff && m.producer().equals("prematch")
                    && m.json().contains("\"status\":-2"));
            assertThat(msgs).anyMatch(m -> m.ts() == kickoff + 1 && m.producer().equals("live")
                    && m.json().contains("\"sport_event_status\":1"));
            assertThat(types).contains("prematch:odds_change", "live:bet_stop", "live:bet_settlement1",
                    "live:bet_settlement2");
            assertThat(types.indexOf("live:bet_settlement1")).isLessThan(types.indexOf("live:bet_settlement2"));
            assertThat(types).doesNotContain("prematch:bet_settlement1");
        }
    }

    @Test
    void shouldFindEveryMessageBetweenTwoTimesForARecovery() {
        FeedSimulator sim = sim(9);
        long from = sim.created(5) + 30_000;
        long to = from + 120_000;
        List<FeedSimulator.Msg> live = sim.between(from, to, "live");
        assertThat(live).isNotEmpty().allMatch(m -> m.producer().equals("live") && m.ts() > from && m.ts() <= to);
        assertThat(live).isSortedAccordingTo(java.util.Comparator.comparingLong(FeedSimulator.Msg::ts));
        long all = 0;
        for (int k = 0; k < 12; k++) {
            all += sim.timeline(k).stream().filter(m -> m.producer().equals("live") && m.ts() > from && m.ts() <= to)
                    .count();
        }
        assertThat(live).hasSize((int) all);
    }
}
