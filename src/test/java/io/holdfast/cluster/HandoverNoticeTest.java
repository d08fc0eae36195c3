package io.holdfast.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A switchover's target confirms to the active (which then stops admitting writes) only once the load balancer counts
 * on it: it has answered a readiness check UP since it was announced, or the fallback wait has passed without one. A
 * readiness answer from before the announcement does not count.
 */
class HandoverNoticeTest {

    @Test
    void shouldConfirmOnlyAfterAReadinessAnswerSinceTheAnnouncement() {
        ClusterState state = new ClusterState();
        state.answeredReady(); // not a target yet: nothing to remember
        state.expectHandover(3_000);
        assertThat(state.incomingNoticed(60_000)).as("announced, no readiness answer yet").isFalse();
        state.answeredReady();
        assertThat(state.incomingNoticed(60_000)).as("a readiness check answered UP since").isTrue();
        state.expectHandover(3_000); // a second announcement starts over
        assertThat(state.incomingNoticed(60_000)).isFalse();
    }

    @Test
    void shouldConfirmAfterTheFallbackWithoutAnyReadinessCheck() throws InterruptedException {
        ClusterState state = new ClusterState();
        state.expectHandover(3_000);
        assertThat(state.incomingNoticed(50)).isFalse();
        Thread.sleep(80);
        assertThat(state.incomingNoticed(50)).as("no load balancer checks this node: confirm after the fallback").isTrue();
    }

    @Test
    void shouldNotConfirmWhenNotATarget() {
        ClusterState state = new ClusterState();
        state.answeredReady();
        assertThat(state.incomingNoticed(0)).isFalse();
        state.expectHandover(3_000);
        state.answeredReady();
        state.noHandover(); // called off
        assertThat(state.incomingNoticed(0)).isFalse();
    }
}
