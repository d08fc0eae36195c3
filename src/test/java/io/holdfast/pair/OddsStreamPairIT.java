package io.holdfast.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.holdfast.support.SseClient;
import io.holdfast.support.SseClient.Event;

/**
 * The odds stream across a switchover, on two real nodes (docs/API.md, "The odds stream"): a stream open on the
 * old ACTIVE stays open and goes on receiving the new ACTIVE's changes (replicated), and a client that comes to the
 * new ACTIVE with the old node's Last-Event-ID is told to reload, with ids greater than any it saw.
 * Node logs: target/pair/node-a.log, target/pair/node-b.log.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OddsStreamPairIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    static Pair pair;

    @BeforeAll
    static void startPair() throws Exception {
        pair = new Pair().start();
    }

    @AfterAll
    static void stopPair() {
        if (pair != null) {
            pair.close();
        }
    }

    static Event nextAbout(SseClient client, long selection) throws InterruptedException {
        while (true) {
            Event e = client.next(WAIT);
            if (e.data().contains("\"selectionId\":" + selection + ",")) {
                return e;
            }
        }
    }

    @Test
    void aStreamSurvivesASwitchoverAndAClientComingOverReloadsWithGreaterIds() throws Exception {
        Pair.Node from = pair.active();
        Pair.Node to = pair.other(from);
        BetTraffic.Market m = BetTraffic.market(from, "Odds stream switchover");
        long sel = m.home();
        try (SseClient onOld = SseClient.at(from.url(), "/api/odds/stream", null)) {
            onOld.next(WAIT); // the first id
            from.asAdmin("PUT", "/api/admin/selections/" + sel + "/odds", "{\"odds\":2.10}");
            Event before = nextAbout(onOld, sel);
            assertThat(before.data()).contains("\"odds\":2.10");

            from.asOps("POST", "/api/ops/switchover", "{\"target\":\"" + to.name() + "\"}");
            Pair.await(to.name() + " ACTIVE", Duration.ofSeconds(30), to::ready);
            to.asAdmin("PUT", "/api/admin/selections/" + sel + "/odds", "{\"odds\":2.20}");

            // the stream on the old ACTIVE, now PASSIVE, was not cut and has the new ACTIVE's change
            Event replicated = nextAbout(onOld, sel);
            assertThat(replicated.data()).contains("\"odds\":2.20");
            assertThat(replicated.revision()).isGreaterThan(before.revision());

            // a client of the old node that reconnects to the new ACTIVE (as after a kill, through the balancer)
            try (SseClient onNew = SseClient.at(to.url(), "/api/odds/stream", before.id())) {
                Event snapshot = onNew.next(WAIT);
                assertThat(snapshot.name()).isEqualTo("snapshot");
                assertThat(snapshot.data()).contains("\"reload\":true");
                assertThat(snapshot.revision()).isGreaterThan(replicated.revision());
                to.asAdmin("PUT", "/api/admin/selections/" + sel + "/odds", "{\"odds\":2.30}");
                Event next = nextAbout(onNew, sel);
                assertThat(next.data()).contains("\"odds\":2.30");
                assertThat(next.revision()).isGreaterThan(snapshot.revision());
            }
        }
    }

    @Test
    void theActiveTakesItsOwnReplicatedWritesForWhatTheyAreAndThePassiveFollows() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        String warning = "Ignored a remote odds-book write";
        int before = pair.log(active.name()).split(warning, -1).length;
        // a replicated cache writes each key through its primary owner: about half of these keys are the PASSIVE's,
        // and the ACTIVE's own writes to them come back to it as remote ones
        BetTraffic.Market a = BetTraffic.market(active, "Odds book echo A");
        BetTraffic.Market b = BetTraffic.market(active, "Odds book echo B");
        long[] selections = { a.home(), a.away(), b.home(), b.away() };
        try (SseClient onPassive = SseClient.at(passive.url(), "/api/odds/stream", null)) {
            onPassive.next(WAIT);
            for (int i = 0; i < 12; i++) {
                active.asAdmin("PUT", "/api/admin/selections/" + selections[i % 4] + "/odds",
                        "{\"odds\":" + (3 + i / 4) + ".50}");
            }
            // the PASSIVE's book followed every selection to its last price
            for (long sel : selections) {
                Event e;
                do {
                    e = nextAbout(onPassive, sel);
                } while (!e.data().contains("\"odds\":5.50"));
            }
        }
        assertThat(pair.log(active.name()).split(warning, -1).length)
                .as("warnings about remote odds-book writes on the ACTIVE").isEqualTo(before);
    }
}
