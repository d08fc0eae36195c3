package io.holdfast.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.holdfast.pair.BetTraffic;

/**
 * The whole pair (issue 5) under faults, started once through {@code ha-config/holdfast-pair up} on its own ports
 * and stopped with {@code down}: bets keep flowing through HAProxy while the PostgreSQL primary's host dies and
 * while the ACTIVE app node is killed; every acknowledged bet ends up in the database exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaFailoverIT {

    private static final int CLIENTS = 4;
    private static HaPair pair;

    @BeforeAll
    static void up() throws Exception {
        pair = new HaPair(); // assigned first: @AfterAll runs `down` even when `up` failed halfway
        pair.up();
    }

    @AfterAll
    static void down() throws Exception {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    @Order(1)
    void shouldServeTheApiThroughHaproxyAndShowPatroniOnTheOpsPage() throws Exception {
        JsonNode cluster = pair.get("/api/ops/cluster", "ops", pair.password("ops"));

        JsonNode database = cluster.path("database");
        assertThat(database.path("source").asText()).isEqualTo("patroni");
        assertThat(database.path("primary").asText()).isIn("pg-1", "pg-2").isEqualTo(pair.member("leader"));
        assertThat(database.path("standbys")).hasSize(1);
        assertThat(database.path("standbys").get(0).path("syncState").asText()).isEqualTo("sync");
        assertThat(database.path("standbys").get(0).path("lagBytes").isNumber()).isTrue();
        assertThat(cluster.path("active").asText()).isEqualTo(pair.activeNode());
        assertThat(pair.pair("status")).contains("leader", "sync_standby", "ACTIVE", "PASSIVE");
    }

    @Test
    @Order(2)
    void shouldLoseNoAcknowledgedBetWhenTheDatabasePrimaryHostDies() throws Exception {
        String oldPrimary = pair.member("leader");
        String standby = pair.member("sync_standby");
        long epoch = appEpoch();
        BetTraffic.Faulted run = pair.aroundFault("dbloss" + System.currentTimeMillis() % 1_000_000, CLIENTS,
                Duration.ofSeconds(30), "kill-db-primary");
        System.out.printf("DB primary %s lost -> first accepted bet after %d ms; %s%n", oldPrimary,
                run.firstAckMillis(), run.bets().summary());

        assertNothingLostOrRefused(run.bets());
        assertThat(pair.member("leader")).isEqualTo(standby);
        // the host watch, not the leader key's ttl, let the standby take over (ha-config/README.md)
        assertThat(java.nio.file.Files.readString(pair.run.resolve("logs/host-watch.log")))
                .contains("declared " + oldPrimary + "'s host lost");
        // a database failover is no reason for the app pair to change roles
        assertThat(appEpoch()).isEqualTo(epoch);

        pair.pair("start", oldPrimary);
        HaPair.await(oldPrimary + " back as the sync standby", Duration.ofSeconds(60),
                () -> oldPrimary.equals(pair.member("sync_standby")));
        try (Connection c = pair.db(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("HAProxy's :5000 reaches the primary").isFalse();
        }
    }

    @Test
    @Order(3)
    void shouldKeepTheActiveAndLoseNothingWhileTheSyncStandbyIsFrozen() throws Exception {
        long epoch = appEpoch();
        // commits wait for the frozen standby until Patroni drops it from sync (about its ttl, 5 s); the ACTIVE's
        // lease renewals wait too, and must not make the PASSIVE take over
        BetTraffic.Faulted run = pair.aroundFault("fzs" + System.currentTimeMillis() % 1_000_000, CLIENTS,
                Duration.ofSeconds(30), "freeze-db-standby", "8");
        System.out.printf("Sync standby frozen 8 s -> longest wait for an ack %d ms; %s%n",
                run.bets().maxWaitMillisSince(run.at() - 2_000_000_000L), run.bets().summary());
        assertNothingLostOrRefused(run.bets());
        assertThat(appEpoch()).as("app role changes").isEqualTo(epoch);
        HaPair.await("both database nodes back (leader and sync standby)", Duration.ofSeconds(90),
                () -> pair.member("leader") != null && pair.member("sync_standby") != null);
    }

    @Test
    @Order(4)
    void shouldLoseNoAcknowledgedBetWhenAFrozenPrimaryWakesUpAfterTheFailover() throws Exception {
        String frozen = pair.member("leader");
        // longer than Patroni's ttl: the standby is promoted and takes bets while the old primary sleeps; the old
        // primary must then step down, not take its leader key back over the new timeline
        BetTraffic.Faulted run = pair.aroundFault("fzp" + System.currentTimeMillis() % 1_000_000, CLIENTS,
                Duration.ofSeconds(30), "freeze-db-primary", "9");
        System.out.printf("DB primary %s frozen 9 s -> first accepted bet after %d ms; %s%n", frozen,
                run.firstAckMillis(), run.bets().summary());
        assertNothingLostOrRefused(run.bets());
        HaPair.await(frozen + " back as the sync standby, behind the promoted node", Duration.ofSeconds(90),
                () -> frozen.equals(pair.member("sync_standby")));
        assertThat(run.bets().differencesWithDatabase()).as("after the woken node rejoined").isEmpty();
    }

    @Test
    @Order(5)
    void shouldMoveTrafficToThePassiveWhenTheActiveAppDiesAndRestartTheDeadNode() throws Exception {
        String active = pair.activeNode();
        String passive = active.equals("node-a") ? "node-b" : "node-a";
        HaPair.await(passive + " PASSIVE and in the cluster", Duration.ofSeconds(60),
                () -> pair.status(passive, "/q/health/live") == 200);
        long restarts = pair.restarts(active);
        BetTraffic.Faulted run = pair.aroundFault("crash" + System.currentTimeMillis() % 1_000_000, CLIENTS,
                Duration.ofSeconds(20), "kill-active-app");
        System.out.printf("App node %s killed -> first accepted bet through HAProxy after %d ms; %s%n", active,
                run.firstAckMillis(), run.bets().summary());

        assertNothingLostOrRefused(run.bets());
        assertThat(pair.activeNode()).isEqualTo(passive);

        HaPair.await(active + " restarted by the launcher", Duration.ofSeconds(30), () -> {
            try {
                return pair.restarts(active) > restarts;
            } catch (Exception e) {
                return false;
            }
        });
        HaPair.await(active + " back as PASSIVE", Duration.ofSeconds(90),
                () -> pair.status(active, "/q/health/live") == 200 && pair.status(active, "/q/health/ready") == 503);
        assertThat(pair.activeNode()).isEqualTo(passive);
    }

    @Test
    @Order(6)
    void shouldAnswerPlacementsHeldByAFrozenActiveFromTheNewActiveWithoutWaitingForTheThaw() throws Exception {
        String frozen = pair.activeNode();
        String other = frozen.equals("node-a") ? "node-b" : "node-a";
        HaPair.await(other + " PASSIVE and in the cluster", Duration.ofSeconds(90),
                () -> pair.status(other, "/q/health/live") == 200 && pair.status(other, "/q/health/ready") == 503);
        Thread.sleep(2000);
        // frozen 5 s: the placements it holds are resent by HAProxy (750 ms server timeout on the idempotent routes)
        // to the node that took over, so bettors wait about a second, not the whole freeze
        BetTraffic.Faulted run = pair.aroundFault("frz" + System.currentTimeMillis() % 1_000_000, CLIENTS,
                Duration.ofSeconds(20), "pause-active-app", "5");
        System.out.printf("App node %s frozen 5 s -> longest gap between acknowledged bets %d ms; %s%n", frozen,
                run.gapMillis(), run.bets().summary());
        assertNothingLostOrRefused(run.bets());
        assertThat(run.gapMillis()).as("longest stretch without an acknowledged bet (the freeze lasted 5000 ms)")
                .isLessThan(3000);
        assertThat(pair.activeNode()).isEqualTo(other);
        HaPair.await(frozen + " PASSIVE after the thaw", Duration.ofSeconds(30),
                () -> pair.status(frozen, "/q/health/live") == 200 && pair.status(frozen, "/q/health/ready") == 503);
    }

    @Test
    @Order(7)
    void shouldSwitchOverUnderTheBetStreamWithoutAGapOrAnError() throws Exception {
        String from = pair.activeNode();
        String to = from.equals("node-a") ? "node-b" : "node-a";
        HaPair.await(to + " PASSIVE and in the cluster", Duration.ofSeconds(90),
                () -> pair.status(to, "/q/health/live") == 200 && pair.status(to, "/q/health/ready") == 503);
        Thread.sleep(3000);
        BetTraffic.Faulted run = pair.aroundFault("swo" + System.currentTimeMillis() % 1_000_000, CLIENTS,
                Duration.ofSeconds(20), "switchover");
        System.out.printf("Switchover %s -> %s -> longest gap between acknowledged bets %d ms; %s%n", from, to,
                run.gapMillis(), run.bets().summary());
        assertNothingLostOrRefused(run.bets());
        assertThat(pair.activeNode()).isEqualTo(to);
        // the target takes writes before the lease moves and the old active serves until it does (target 200 ms;
        // bounded loosely here: this machine's two cores are shared with other builds)
        assertThat(run.gapMillis()).isLessThan(1000);
    }

    @Test
    @Order(9)
    void shouldStopEverythingItStartedOnDown() throws Exception {
        List<Long> started = pair.recordedPids();
        assertThat(started).hasSizeGreaterThanOrEqualTo(6); // etcd, 2 x Patroni, HAProxy, 2 x app (and helpers)
        pair.pair("down");
        assertThat(started.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)))
                .as("processes of the pair still alive after down").isEmpty();
        assertThat(pair.status("node-a", "/q/health/live")).isNotEqualTo(200);
        assertThat(pair.status("node-b", "/q/health/live")).isNotEqualTo(200);
    }

    /** No answer a client could not retry, no request given up on, and the database holds exactly what was acknowledged. */
    private static void assertNothingLostOrRefused(BetTraffic bets) throws Exception {
        assertThat(bets.errors()).isEmpty();
        assertThat(bets.abandoned()).isEmpty();
        assertThat(bets.differencesWithDatabase()).isEmpty();
    }

    /** The app pair's lease epoch: it moves only when the ACTIVE changes. */
    private static long appEpoch() throws Exception {
        return pair.get("/api/ops/cluster", "ops", pair.password("ops")).path("epoch").asLong();
    }
}
