package io.holdfast.pair;

import static io.holdfast.pair.BetTraffic.JSON;
import static io.holdfast.pair.BetTraffic.bet;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The active–passive pair as two real processes of the packaged application on the local PostgreSQL, under
 * real faults (kill -9, SIGSTOP, an iptables partition, a PostgreSQL restart). One pair serves the whole
 * class; each test starts with both nodes up and one cluster (a killed node is started again first).
 * Node logs: target/pair/node-a.log, target/pair/node-b.log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PairFailoverIT {

    static Pair pair;
    static List<BetTraffic.Bettor> bettors;
    static BetTraffic.Market market;

    @BeforeAll
    static void startPair() throws Exception {
        // a short live delay, so a PENDING bet is due soon after the node that took it dies
        pair = new Pair("-Dholdfast.betting.live-delay=3s").start();
        Pair.Node active = pair.active();
        bettors = BetTraffic.bettors(active, "pairit", 4);
        market = BetTraffic.market(active, "Pair IT match");
    }

    @AfterAll
    static void stopPair() {
        if (pair != null) {
            pair.close();
        }
    }

    @BeforeEach
    void bothNodesUp() throws Exception {
        pair.heal();
        pair.ensureBoth();
    }

    @Test
    @Order(1)
    void theNodesFormOneClusterAndThePassiveSeesTheActivesOdds() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        for (Pair.Node n : pair.nodes()) {
            JsonNode cluster = JSON.readTree(n.asOps("GET", "/api/ops/cluster", null));
            assertThat(cluster.get("active").asText()).isEqualTo(active.name());
            assertThat(roles(cluster)).containsExactlyInAnyOrder(active.name() + "=ACTIVE", passive.name() + "=PASSIVE");
        }

        BetTraffic.Market m = BetTraffic.market(active, "Odds replication");
        active.asAdmin("PUT", "/api/admin/selections/" + m.home() + "/odds", "{\"odds\":2.65}");
        Pair.await("the passive's replicated odds book shows 2.65", Duration.ofSeconds(10), () -> {
            try {
                HttpResponse<String> r = passive.send("GET", "/api/odds/" + m.home(), null, null, Duration.ofSeconds(2));
                JsonNode q = JSON.readTree(r.body());
                return r.statusCode() == 200 && q.get("odds").decimalValue().compareTo(new java.math.BigDecimal("2.65")) == 0
                        && q.get("version").asInt() >= 2;
            } catch (Exception e) {
                return false;
            }
        });

        // the passive answers a business write with a retriable 503, and writes nothing
        HttpResponse<String> refused = passive.send("POST", "/api/bets", bet("refused-1", m.home()), bettors.get(0).cookie(),
                Duration.ofSeconds(5));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("NOT_ACTIVE");
        assertThat(pair.sqlLong("SELECT count(*) FROM bet WHERE request_id = 'refused-1'")).isZero();

        // the passive keeps the placement path warm: in-process tries that the write guard refuses, and requests to
        // its own API that answer 401; none of them writes anything
        Pair.await("the passive rehearses placements", Duration.ofSeconds(30),
                () -> metric(passive, "holdfast_placement_rehearsals_total{outcome=\"refused-by-guard\"}") > 0
                        && metric(passive, "holdfast_placement_rehearsals_total{outcome=\"http-401\"}") > 0);
        assertThat(pair.sqlLong("SELECT count(*) FROM bet WHERE request_id LIKE 'rehearsal-%'")).isZero();
    }

    @Test
    @Order(2)
    void aPartitionBetweenTheNodesChangesNoRole() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        long epoch = epoch();
        long roleChanges = roleChanges();
        try (BetTraffic traffic = new BetTraffic(pair, bettors.subList(0, 2), market.home(), "partition",
                Duration.ofSeconds(30)).start()) {
            awaitAcks(traffic, 10);
            pair.partition();
            List<String> violations = new ArrayList<>();
            boolean activeSawSplit = false;
            boolean passiveSawSplit = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
            long splitSince = Long.MAX_VALUE;
            int i = 0;
            // hold the partition until both sides have seen the other leave, then 3 s more
            while (System.nanoTime() < deadline
                    && (splitSince == Long.MAX_VALUE || System.nanoTime() - splitSince < Duration.ofSeconds(3).toNanos())) {
                if (!active.ready()) {
                    violations.add("lease holder " + active.name() + " not ready");
                }
                if (passive.ready()) {
                    violations.add(passive.name() + " became ready");
                }
                if (i++ % 10 == 0) {
                    activeSawSplit |= !reachable(active, passive.name());
                    passiveSawSplit |= !reachable(passive, active.name());
                    if (activeSawSplit && passiveSawSplit && splitSince == Long.MAX_VALUE) {
                        splitSince = System.nanoTime();
                    }
                }
                Thread.sleep(100);
            }
            assertThat(activeSawSplit && passiveSawSplit).as("both sides saw the other leave the JGroups view").isTrue();
            assertThat(violations).isEmpty();
            assertThat(epoch()).isEqualTo(epoch);
            assertThat(roleChanges()).isEqualTo(roleChanges);

            pair.heal();
            pair.awaitCluster();
            assertThat(active.ready()).isTrue();
            assertThat(epoch()).isEqualTo(epoch);
            traffic.stop();
            assertCleanRun(traffic);
        }
    }

    @Test
    @Order(3)
    void aPostgresOutageMakesTheActiveNotReadyWithinTAndKeepsItsLease() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        long epoch = epoch();
        long roleChanges = roleChanges();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        try (BetTraffic traffic = new BetTraffic(pair, bettors, market.home(), "pgrestart", Duration.ofSeconds(40))
                .start()) {
            awaitAcks(traffic, 20);
            java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread watcher = watchRoles(null, passive, violations, watching);
            pair.stopPostgres();
            long down = System.nanoTime();
            // its renewals fail: it cannot write, so the load balancer must not keep it (T = 600 ms, polled over HTTP)
            Pair.await(active.name() + " not ready", Duration.ofSeconds(5), () -> !active.ready());
            long notReadyAfter = (System.nanoTime() - down) / 1_000_000;
            Thread.sleep(2000);
            assertThat(active.ready()).as("still not ready while the database is down").isFalse();
            pair.startPostgres();
            long back = System.nanoTime();
            Pair.await(active.name() + " ready again", Duration.ofSeconds(20), active::ready);
            Pair.await("20 bets accepted after the restart", Duration.ofSeconds(40), () -> traffic.acksSince(back) >= 20);
            watching.set(false);
            watcher.join();
            traffic.stop();
            assertThat(notReadyAfter).as("ms from the database stopping to not ready (T 600 ms, shared machine slack)")
                    .isLessThan(1200);
            assertThat(violations).isEmpty();
            assertThat(epoch()).as("the lease stays with the active").isEqualTo(epoch);
            assertThat(roleChanges()).isEqualTo(roleChanges);
            assertCleanRun(traffic);
            System.out.printf("[pair] PostgreSQL down 2 s: %s not ready %d ms after the stop; %s%n", active.name(),
                    notReadyAfter, traffic.summary());
        }
    }

    @Test
    @Order(4)
    void aSwitchoverUnderLoadLosesNothingAndShowsOnlyRetriableErrors() throws Exception {
        Pair.Node from = pair.active();
        Pair.Node to = pair.other(from);
        long epoch = epoch();
        try (BetTraffic traffic = new BetTraffic(pair, bettors, market.home(), "switchover", Duration.ofSeconds(30))
                .start()) {
            awaitAcks(traffic, 20);
            long asked = System.nanoTime();
            JsonNode done = JSON.readTree(from.asOps("POST", "/api/ops/switchover",
                    "{\"target\":\"" + to.name() + "\"}"));
            long flipped = System.nanoTime();
            // the answer is honest: the target is ACTIVE at the new epoch when it comes
            assertThat(done.get("active").asText()).isEqualTo(to.name());
            assertThat(done.get("epoch").asLong()).isEqualTo(epoch + 1);
            assertThat(epoch()).isEqualTo(epoch + 1);
            assertThat(pair.sqlLong("SELECT count(*) FROM cluster_lease WHERE holder = ? AND handover_from IS NULL",
                    to.name())).isEqualTo(1);
            assertThat(to.ready()).isTrue();
            assertThat(from.ready()).isFalse();
            Pair.await("bets accepted by " + to.name(), Duration.ofSeconds(15), () -> traffic.firstAck(to.name(), asked) != null);
            awaitAcks(traffic, traffic.acked().size() + 20);
            traffic.stop();
            assertCleanRun(traffic);
            System.out.printf("[pair] switchover %s -> %s answered in %d ms (client %d ms); %s%n", from.name(), to.name(),
                    done.get("tookMillis").asLong(), (flipped - asked) / 1_000_000, traffic.summary());
        }
    }

    @Test
    @Order(4)
    void aSwitchoverAnswers409ForAnUnknownOrFrozenTargetAndChangesNothing() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        long epoch = epoch();
        // a session, not Basic: a password login updates the replicated login throttle, which waits for a frozen peer
        String ops = BetTraffic.session(active.url(), "ops", pair.password("ops"));
        HttpResponse<String> unknown = opsPost(active, "/api/ops/switchover", "{\"target\":\"node-x\"}", ops);
        assertThat(unknown.statusCode()).isEqualTo(409);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(JSON.readTree(unknown.body()).get("code").asText()).isEqualTo("UNKNOWN_TARGET");

        pair.signal(passive, "STOP");
        try {
            HttpResponse<String> frozen = opsPost(active, "/api/ops/switchover",
                    "{\"target\":\"" + passive.name() + "\"}", ops);
            assertThat(frozen.statusCode()).as(frozen.body()).isEqualTo(409);
            assertThat(JSON.readTree(frozen.body()).get("code").asText()).isEqualTo("TARGET_NOT_READY");
            assertThat(epoch()).isEqualTo(epoch);
            assertThat(active.ready()).as("the active stays active and ready").isTrue();
            assertThat(pair.sqlLong("SELECT count(*) FROM cluster_lease WHERE handover_to IS NOT NULL")).isZero();
        } finally {
            pair.signal(passive, "CONT");
        }
    }

    @Test
    @Order(5)
    void killNineOfTheActiveUnderLoadLosesNoAcknowledgedBet() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        long epoch = epoch();
        try (BetTraffic traffic = new BetTraffic(pair, bettors, market.home(), "kill9", Duration.ofSeconds(30))
                .start()) {
            awaitAcks(traffic, 20);
            String sessionGone = active.name() + "'s lease session is gone from the database";
            int seenBefore = occurrences(pair.log(passive.name()), sessionGone);
            // a session, not Basic: a password login updates the replicated login throttle, which waits for a dead peer
            String ops = BetTraffic.session(passive.url(), "ops", pair.password("ops"));
            long killed = System.nanoTime();
            pair.kill9(active);
            long exited = System.nanoTime(); // reaped: its sockets are closed
            Pair.await(passive.name() + " ACTIVE", Duration.ofSeconds(15), passive::ready);
            long ready = System.nanoTime();
            // the ops view never shows the dead node's last role as if it were alive
            assertThat(roles(JSON.readTree(passive.send("GET", "/api/ops/cluster", null, ops, Duration.ofSeconds(10)).body())))
                    .contains(passive.name() + "=ACTIVE").doesNotContain(active.name() + "=ACTIVE");
            // a password login right after the kill: the throttle's replicated write cannot reach the dead peer and is
            // made on this node alone (platform.ReplicatedWrite); asOps fails on anything but a 2xx, a 500 included
            assertThat(passive.asOps("GET", "/api/ops/cluster", null)).contains("\"epoch\"");
            Pair.await("bets accepted by " + passive.name(), Duration.ofSeconds(15),
                    () -> traffic.firstAck(passive.name(), killed) != null);
            long firstAck = traffic.firstAck(passive.name(), killed).atNanos();
            awaitAcks(traffic, traffic.acked().size() + 20);
            traffic.stop();
            assertThat(epoch()).isGreaterThan(epoch);
            assertCleanRun(traffic);
            System.out.printf("[pair] kill -9 of %s: process gone after %d ms, %s ready after %d ms, first bet accepted "
                    + "after %d ms; %s%n", active.name(), (exited - killed) / 1_000_000, passive.name(),
                    (ready - killed) / 1_000_000, (firstAck - killed) / 1_000_000, traffic.summary());
            assertThat(occurrences(pair.log(passive.name()), sessionGone))
                    .as("the takeover did not wait T: the dead node's lease session vanished").isGreaterThan(seenBefore);
            assertThat((ready - exited) / 1_000_000).as("ms from the process gone to the takeover seen over HTTP")
                    .isLessThan(500);
        }
        // the killed node comes back as PASSIVE and the pair is whole again
        pair.ensureBoth();
        assertThat(passive.ready()).isTrue();
        assertThat(active.ready()).isFalse();
    }

    @Test
    @Order(6)
    void aLiveBetPendingWhenTheActiveDiesIsCompletedByTheNewActive() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        BetTraffic.Market live = BetTraffic.market(active, "Live when the node died");
        active.asAdmin("POST", "/api/admin/events/" + live.eventId() + "/start", null);
        String cookie = bettors.get(3).cookie();
        HttpResponse<String> placed = active.send("POST", "/api/bets", bet("pending-at-kill", live.home()), cookie,
                Duration.ofSeconds(10));
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        JsonNode bet = JSON.readTree(placed.body());
        assertThat(bet.get("status").asText()).isEqualTo("PENDING");
        long betId = bet.get("id").asLong();
        // the passive's copy of the replicated pending-delay index holds it before the active dies
        Pair.await("the pending bet in " + passive.name() + "'s replicated index", Duration.ofSeconds(5),
                () -> metric(passive, "holdfast_pending_index_size") >= 1);

        pair.kill9(active);
        Pair.await(passive.name() + " ACTIVE", Duration.ofSeconds(15), passive::ready);
        Pair.await("the pending bet accepted by " + passive.name(), Duration.ofSeconds(20), () -> {
            try {
                HttpResponse<String> r = passive.send("GET", "/api/bets/" + betId, null, cookie, Duration.ofSeconds(2));
                return r.statusCode() == 200 && JSON.readTree(r.body()).get("status").asText().equals("ACCEPTED");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(pair.sqlLong("SELECT count(*) FROM bet WHERE request_id = 'pending-at-kill' AND status = 'ACCEPTED' "
                + "AND decided_at >= due_at")).isEqualTo(1);
    }

    @Test
    @Order(7)
    void aFrozenActiveIsTakenOverAndCommitsNothingWhenItWakes() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        long oldEpoch = epoch();
        List<CompletableFuture<HttpResponse<String>>> zombies = new ArrayList<>();
        long rowsAtTakeover;
        try (BetTraffic traffic = new BetTraffic(pair, bettors, market.home(), "sigstop", Duration.ofSeconds(40))
                .start()) {
            awaitAcks(traffic, 20);
            long stopped = System.nanoTime();
            pair.signal(active, "STOP");
            // ready already when it expects to take over (2T/3 of silence); the takeover itself is the new epoch
            Pair.await(passive.name() + " takes over", Duration.ofSeconds(20), () -> {
                try {
                    return epoch() > oldEpoch && passive.ready();
                } catch (Exception e) {
                    return false;
                }
            });
            long tookOver = System.nanoTime();
            assertThat(epoch()).isGreaterThan(oldEpoch);
            rowsAtTakeover = rowsWithEpoch(oldEpoch);
            // placements sent straight to the frozen node: they wait in its socket and run when it wakes
            for (int i = 0; i < 5; i++) {
                HttpRequest r = HttpRequest.newBuilder(URI.create(active.url() + "/api/bets"))
                        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                        .header("Cookie", bettors.get(i % bettors.size()).cookie())
                        .POST(HttpRequest.BodyPublishers.ofString(bet("zombie-" + i, market.home()))).build();
                zombies.add(Pair.HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
            }
            Pair.await("bets accepted by " + passive.name(), Duration.ofSeconds(15),
                    () -> traffic.firstAck(passive.name(), stopped) != null);
            // a password login while the peer is frozen (still in the view): the throttle's replicated write times out
            // on it and is made on this node alone (platform.ReplicatedWrite); asOps fails on a 500
            assertThat(passive.asOps("GET", "/api/ops/cluster", null)).contains("\"epoch\"");
            Thread.sleep(1000); // frozen well past the lease TTL
            pair.signal(active, "CONT");
            Pair.await(active.name() + " turns PASSIVE by itself", Duration.ofSeconds(15), () -> !active.ready()
                    && active.status("GET", "/q/health/live", null, null) == 200);
            for (CompletableFuture<HttpResponse<String>> z : zombies) {
                try {
                    HttpResponse<String> r = z.get(60, TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as("a placement held by the frozen node: %s", r.body()).isEqualTo(503);
                } catch (java.util.concurrent.ExecutionException e) {
                    // the connection died with the old node's role: no answer is also no commit
                }
            }
            awaitAcks(traffic, traffic.acked().size() + 20);
            traffic.stop();
            assertThat(rowsWithEpoch(oldEpoch)).as("rows written with the old epoch after the takeover")
                    .isEqualTo(rowsAtTakeover);
            assertThat(pair.sqlLong("SELECT count(*) FROM bet WHERE request_id LIKE 'zombie-%'")).isZero();
            assertCleanRun(traffic);
            System.out.printf("[pair] SIGSTOP of %s: %s took over after %d ms%n", active.name(), passive.name(),
                    (tookOver - stopped) / 1_000_000);
        }
        Pair.await(active.name() + " back in the cluster as PASSIVE", Duration.ofSeconds(30), () -> {
            try {
                JsonNode cluster = JSON.readTree(passive.asOps("GET", "/api/ops/cluster", null));
                return roles(cluster).contains(active.name() + "=PASSIVE");
            } catch (Exception e) {
                return false;
            }
        });
    }

    // --- helpers

    /** A gauge from the node's Prometheus endpoint, or -1; {@code name} may end with a label selector, {@code x{a="b"}. */
    static double metric(Pair.Node node, String name) {
        try {
            String body = node.send("GET", "/q/metrics", null, null, Duration.ofSeconds(2)).body();
            for (String line : body.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")
                        || (name.endsWith("}") && line.startsWith(name.substring(0, name.length() - 1)))) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (Exception e) {
            // not up
        }
        return -1;
    }

    static int occurrences(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static HttpResponse<String> opsPost(Pair.Node node, String path, String body, String cookie) throws Exception {
        return Pair.HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static long epoch() throws Exception {
        return pair.sqlLong("SELECT epoch FROM cluster_lease WHERE id = 1");
    }

    static long roleChanges() throws Exception {
        return pair.sqlLong("SELECT count(*) FROM audit_log WHERE action LIKE 'ROLE_%'");
    }

    static long rowsWithEpoch(long epoch) throws Exception {
        return pair.sqlLong("SELECT (SELECT count(*) FROM bet WHERE epoch = ?) + (SELECT count(*) FROM ledger_entry WHERE epoch = ?)",
                epoch, epoch);
    }

    static List<String> roles(JsonNode cluster) {
        List<String> roles = new ArrayList<>();
        cluster.get("nodes").forEach(n -> roles.add(n.get("name").asText() + "=" + n.get("role").asText()));
        return roles;
    }

    /** Whether {@code observer} sees {@code other} as a reachable member of its cluster view. */
    static boolean reachable(Pair.Node observer, String other) {
        try {
            JsonNode cluster = JSON.readTree(observer.asOps("GET", "/api/ops/cluster", null));
            for (JsonNode n : cluster.get("nodes")) {
                if (n.get("name").asText().equals(other)) {
                    return !n.get("role").asText().equals("UNREACHABLE");
                }
            }
            return false;
        } catch (Exception e) {
            return true; // could not ask: no evidence of a split
        }
    }

    static void awaitAcks(BetTraffic traffic, int count) throws InterruptedException {
        Pair.await(count + " acknowledged bets", Duration.ofSeconds(30), () -> traffic.acked().size() >= count);
    }

    /**
     * Polls both nodes' readiness while {@code watching}; records any moment the roles were not as they started
     * ({@code active} null: only the passive is watched).
     */
    static Thread watchRoles(Pair.Node active, Pair.Node passive, ConcurrentLinkedQueue<String> violations,
            java.util.concurrent.atomic.AtomicBoolean watching) {
        Thread t = new Thread(() -> {
            while (watching.get()) {
                if (active != null && !active.ready()) {
                    violations.add(active.name() + " not ready");
                }
                if (passive.ready()) {
                    violations.add(passive.name() + " ready");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "role-watcher");
        t.start();
        return t;
    }

    static void assertCleanRun(BetTraffic traffic) throws Exception {
        assertThat(traffic.errors()).as("non-retriable answers").isEmpty();
        assertThat(traffic.abandoned()).as("placements never acknowledged within the client's deadline").isEmpty();
        assertThat(traffic.differencesWithDatabase()).as("acknowledged bets not in the database exactly once").isEmpty();
        assertThat(BetTraffic.unbalancedAccounts(pair)).as("accounts whose ledger does not add up").isZero();
    }
}
