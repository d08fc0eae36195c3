package io.holdfast.betting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.holdfast.cluster.ClusterState;
import io.holdfast.cluster.WriteGuard;
import io.holdfast.platform.Jdbc;
import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A PASSIVE node rehearses the whole placement transaction (the guard, the statement that writes the bet, the debit,
 * the journal, the legs and the bet.placed event, the answer read back) so that its first real bets after a takeover
 * do not pay for first-time set-up; and every rehearsed write is rolled back: the database is as it was.
 */
@QuarkusTest
class PlacementRehearsalTest {

    @Inject
    PlacementRehearsal rehearsal;
    @Inject
    WriteGuard guard;
    @Inject
    Jdbc jdbc;
    @Inject
    ClusterState cluster;
    @Inject
    MeterRegistry metrics;

    @Test
    void shouldWriteThePlacementOnAPassiveNodeAndCommitNothing() throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(cluster::isActive);
        Api.Bettor bettor = Api.bettor(10_000);
        Api.market("2.00", "3.00");
        AtomicBoolean holding = new AtomicBoolean(true);
        Thread otherHolder = new Thread(() -> {
            // another node holds the lease and keeps renewing it: this one is PASSIVE for as long as it does
            Db.update("UPDATE cluster_lease SET epoch = epoch + 1, holder = 'elsewhere', renewed_at = clock_timestamp()");
            while (holding.get()) {
                Db.update("UPDATE cluster_lease SET renewed_at = clock_timestamp() WHERE holder = 'elsewhere'");
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        otherHolder.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.isActive());
            String before = database();
            double rehearsed = written();

            rehearsal.rehearse();
            // a write that never reaches the guard is rolled back too
            var direct = guard.rehearseAndRollBack(
                    () -> jdbc.update("UPDATE account SET balance = balance + 1000 WHERE id = ?", bettor.id()));

            // five per round; the scheduled rounds (every 10 s) may add theirs
            assertThat(written() - rehearsed).as("placement transactions written and rolled back").isGreaterThanOrEqualTo(5);
            assertThat(direct.failure()).isNull();
            assertThat(direct.result()).as("rows the direct write updated before its rollback").isEqualTo(1);
            assertThat(database()).as("bets, journal, events and balances after the rehearsal").isEqualTo(before);
            assertThat(Db.longValue("SELECT count(*) FROM bet WHERE request_id LIKE 'rehearsal-%'")).isZero();
        } finally {
            holding.set(false);
            otherHolder.join();
        }
        // the other holder went silent: this node takes the lease back, for the tests after this one
        await().atMost(Duration.ofSeconds(20)).until(cluster::isActive);
    }

    private double written() {
        return metrics.counter("holdfast_placement_rehearsals_total", "outcome", "written-and-rolled-back").count();
    }

    private static String database() {
        return Db.longValue("SELECT count(*) FROM bet") + " bets, " + Db.longValue("SELECT count(*) FROM bet_leg")
                + " legs, " + Db.longValue("SELECT count(*) FROM ledger_entry") + " ledger rows, "
                + Db.longValue("SELECT count(*) FROM event_outbox") + " events, "
                + Db.longValue("SELECT coalesce(sum(balance), 0) FROM account") + " in balances";
    }
}
