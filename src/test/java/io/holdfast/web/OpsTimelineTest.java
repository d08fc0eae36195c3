package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.holdfast.web.OpsTimeline.Sample;

/** The console's chart from samples: bars scale to the peak, bands follow the ACTIVE, marks where things changed. */
class OpsTimelineTest {

    @Test
    void shouldMarkANewEpochANewDatabasePrimaryAndTheSecondsWithoutTheDatabase() {
        List<Sample> samples = new ArrayList<>();
        for (long s = 0; s < 60; s++) {
            String active = s < 30 ? "node-a" : "node-b";
            long epoch = s < 30 ? 7 : 8;
            String primary = s < 45 ? "pg-1" : "pg-2";
            boolean reachable = s < 40 || s >= 43;
            samples.add(new Sample(1_000 + s, reachable ? (s == 10 ? 50 : 10) : -1, active, epoch, primary, reachable));
        }
        OpsTimeline.Chart chart = OpsTimeline.chart(samples, 1_059, 60, 600, 160);

        assertThat(chart.peak()).isEqualTo(50);
        assertThat(chart.bars()).hasSize(57); // 3 seconds without the database have no bar
        assertThat(chart.bars().get(10).h()).isGreaterThan(4 * chart.bars().get(0).h());
        assertThat(chart.bands()).extracting(OpsTimeline.Band::node).containsExactly("node-a", "node-b");
        assertThat(chart.bands().get(1).x()).isEqualTo(300);
        assertThat(chart.marks()).extracting(OpsTimeline.Mark::label)
                .containsExactly("epoch 8: node-b", "database unreachable", "db primary pg-2");
        assertThat(chart.marks()).extracting(OpsTimeline.Mark::x).containsExactly(300, 400, 450);
        assertThat(chart.summary()).startsWith("610 bets accepted").contains("3 s without the database");
    }

    @Test
    void shouldLeaveOutSamplesOlderThanTheWindowAndHolesWhereTheNodeSawNothing() {
        List<Sample> samples = List.of(new Sample(100, 500, "node-a", 1, "pg-1", true),
                new Sample(200, 5, "node-a", 1, "pg-1", true), new Sample(230, 5, "node-b", 2, "pg-1", true));
        OpsTimeline.Chart chart = OpsTimeline.chart(samples, 239, 60, 600, 160);
        assertThat(chart.peak()).as("the old sample is outside the window").isEqualTo(5);
        assertThat(chart.bars()).hasSize(2);
        // the node saw nothing between 200 and 230 (down, frozen): the epoch change is still marked where it saw it
        assertThat(chart.marks()).extracting(OpsTimeline.Mark::label).containsExactly("epoch 2: node-b");
        assertThat(chart.bands()).hasSize(2);
    }
}
