package io.holdfast.pair;

import static io.holdfast.pair.BetTraffic.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The odds feed end to end: the simulator as its own process (io.holdfast.feed.sim.FeedSimulator, port 8090 + 22000),
 * the pair as two processes reading it, bettors placing on whatever the feed offers. A silence of the live producer
 * under that stream, then a kill -9 of the ACTIVE during matches. Prints the measured detection and recovery times.
 * Logs: target/pair/node-*.log, target/feed-it/feed.log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FeedPairIT {

    static final int SIM_PORT = 8090 + 22_000;
    static final String SIM = "http://127.0.0.1:" + SIM_PORT;
    static final long MAX_INACTIVITY_MILLIS = 3_000;

    static Process simulator;
    static Pair pair;
    static List<BetTraffic.Bettor> bettors;
    static final Listener listener = new Listener();

    /** A client of the simulator's stream of its own: when each live message arrived, and the feed's latest prices. */
    static final class Listener implements Runnable {
        final List<long[]> arrivals = new CopyOnWriteArrayList<>(); // {arrival ms, producer: 0 prematch / 1 live}
        /** event|market -> {timestamp, odds of outcome 1 (x100)}: what the app must end with. */
        final Map<String, long[]> latest = new ConcurrentHashMap<>();
        /** event|market|outcome -> every price the feed sent for it (recovery answers too): {arrival ms, timestamp, odds x100}. */
        final Map<String, List<long[]>> history = new ConcurrentHashMap<>();
        volatile boolean stop;

        @Override
        public void run() {
            while (!stop) {
                try {
                    HttpResponse<InputStream> r = Pair.HTTP.send(HttpRequest.newBuilder(URI.create(SIM + "/v1/stream"))
                            .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                    BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
                    for (String line; !stop && (line = lines.readLine()) != null;) {
                        if (line.startsWith("data: ")) {
                            take(JSON.readTree(line.substring(6)));
                        }
                    }
                } catch (Exception e) {
                    sleep(200);
                }
            }
        }

        private void take(JsonNode m) {
            String producer = m.path("producer").asText();
            if (!m.has("request_id")) {
                arrivals.add(new long[] { System.currentTimeMillis(), producer.equals("live") ? 1 : 0 });
            }
            if (m.path("type").asText().equals("odds_change")) {
                long ts = m.path("timestamp").asLong();
                for (JsonNode market : m.path("markets")) {
                    if (market.path("status").asInt() != 1 || market.path("outcomes").isEmpty()) {
                        continue;
                    }
                    for (JsonNode o : market.path("outcomes")) {
                        history.computeIfAbsent(m.path("event_id").asText() + "|" + market.path("id").asText() + "|"
                                + o.path("id").asText(), k -> new CopyOnWriteArrayList<>()).add(new long[] {
                                        System.currentTimeMillis(), ts, Math.round(o.path("odds").asDouble() * 100) });
                    }
                    long odds = Math.round(market.path("outcomes").get(0).path("odds").asDouble() * 100);
                    latest.merge(m.path("event_id").asText() + "|" + market.path("id").asText(), new long[] { ts, odds },
                            (old, now) -> now[0] > old[0] ? now : old);
                }
            }
        }

        long lastArrival(int producer, long before) {
            return arrivals.stream().filter(a -> a[1] == producer && a[0] < before).mapToLong(a -> a[0]).max().orElse(0);
        }

        long firstArrival(int producer, long after) {
            return arrivals.stream().filter(a -> a[1] == producer && a[0] > after).mapToLong(a -> a[0]).min().orElse(0);
        }

        /**
         * The prices (x100) the feed had given this outcome at some moment between {@code from} and {@code to}: at
         * each moment the one of the newest timestamp among the messages arrived by then (a recovery's answers arrive
         * late and may be old). Empty when the feed never priced it by {@code to}.
         */
        java.util.Set<Long> pricesBetween(String outcome, long from, long to) {
            List<long[]> h = history.getOrDefault(outcome, List.of());
            java.util.Set<Long> out = new java.util.HashSet<>();
            List<Long> moments = new ArrayList<>(List.of(from));
            h.stream().filter(e -> e[0] > from && e[0] <= to).forEach(e -> moments.add(e[0]));
            for (long t : moments) {
                h.stream().filter(e -> e[0] <= t).max(java.util.Comparator.comparingLong(e -> e[1]))
                        .ifPresent(e -> out.add(e[2]));
            }
            return out;
        }
    }

    /** Bettors placing on a random open feed selection, at the price they see, again and again. */
    static final class Stream implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile int accepted;

        Stream start() {
            for (BetTraffic.Bettor b : bettors) {
                Thread t = new Thread(() -> loop(b), "feed-bettor");
                t.start();
                threads.add(t);
            }
            return this;
        }

        private void loop(BetTraffic.Bettor bettor) {
            Random random = new Random();
            int n = 0;
            while (running.get()) {
                try {
                    Pair.Node node = pair.active();
                    if (node == null) {
                        sleep(100);
                        continue;
                    }
                    JsonNode events = JSON.readTree(node.send("GET", "/api/events?status=SCHEDULED,LIVE", null,
                            bettor.cookie(), Duration.ofSeconds(3)).body());
                    List<JsonNode> open = new ArrayList<>();
                    for (JsonNode e : events) {
                        for (JsonNode m : e.path("markets")) {
                            if ("FEED".equals(m.path("source").asText()) && "OPEN".equals(m.path("status").asText())) {
                                m.path("selections").forEach(open::add);
                            }
                        }
                    }
                    if (open.isEmpty()) {
                        sleep(100);
                        continue;
                    }
                    JsonNode s = open.get(random.nextInt(open.size()));
                    String body = "{\"requestId\":\"feedit-" + bettor.accountId() + "-" + (n++) + "\",\"stake\":100,"
                            + "\"legs\":[{\"selectionId\":" + s.path("id").asLong() + ",\"odds\":"
                            + s.path("odds").asText() + "}],\"oddsChange\":\"ANY\"}";
                    int status = node.send("POST", "/api/bets", body, bettor.cookie(), Duration.ofSeconds(5)).statusCode();
                    if (status == 201 || status == 200) {
                        accepted++;
                    } else if (status >= 500 && status != 503) {
                        errors.add("POST /api/bets -> " + status);
                    }
                    sleep(20);
                } catch (Exception e) {
                    sleep(100); // a node dying under us
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path work = Path.of("target/feed-it").toAbsolutePath();
        Files.createDirectories(work);
        Files.deleteIfExists(work.resolve("state"));
        simulator = new ProcessBuilder("java", "-Xmx128m", "-cp", Path.of("target/quarkus-app/app").toAbsolutePath() + "/*",
                "io.holdfast.feed.sim.FeedSimulator", "--port", Integer.toString(SIM_PORT), "--state",
                work.resolve("state").toString(), "--prematch-seconds", "40", "--live-seconds", "40", "--matches", "4")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("feed.log").toFile()))
                .start();
        Pair.await("the feed simulator", Duration.ofSeconds(30), () -> status(SIM + "/health") == 200);
        Thread t = new Thread(listener, "feed-listener");
        t.setDaemon(true);
        t.start();
        pair = new Pair("-Dholdfast.feed.url=" + SIM, "-Dholdfast.betting.live-delay=1s").start();
        bettors = BetTraffic.bettors(pair.active(), "feedit", 4);
        Pair.await("both producers UP", Duration.ofSeconds(60), () -> producersUp(2));
    }

    @AfterAll
    static void stop() {
        listener.stop = true;
        if (pair != null) {
            pair.close();
        }
        if (simulator != null) {
            simulator.destroyForcibly();
        }
    }

    @Test
    @Order(1)
    void aSilentProducerTakesNoBetAfterMaxInactivityAndBetsAgainAfterRecovery() throws Exception {
        Instant streamStart = Instant.now();
        long silenceAt;
        long prematchDownsBefore = producer("prematch").path("downs").asLong();
        try (Stream stream = new Stream().start()) {
            sleep(6_000);
            silenceAt = System.currentTimeMillis();
            assertThat(status("POST", SIM + "/control/silence?producer=live&seconds=10")).isEqualTo(200);
            Pair.await("the live producer UP again", Duration.ofSeconds(40),
                    () -> System.currentTimeMillis() > silenceAt + 10_000 && producersUp(2));
            sleep(8_000);
            assertThat(stream.errors).isEmpty();
        }
        long lastLive = listener.lastArrival(1, silenceAt + 200);
        long resumed = listener.firstArrival(1, silenceAt + 9_000);
        JsonNode live = producer("live");
        JsonNode prematch = producer("prematch");
        Instant upAgain = Instant.parse(live.path("statusSince").asText());
        Instant downAt = Instant.parse(live.path("lastDownAt").asText());
        java.sql.Timestamp deadline = java.sql.Timestamp.from(Instant.ofEpochMilli(lastLive + MAX_INACTIVITY_MILLIS + 500));
        java.sql.Timestamp up = java.sql.Timestamp.from(upAgain);

        // A bet on the live producer's markets: one on a LIVE event (it waits its live delay: due_at; only the live
        // producer prices a match once it kicked off), or one priced at a version the live producer set. It is
        // accepted when its delay ends and the completer decides it (decided_at), a bet without delay when placed.
        // None may be accepted from max-inactivity + 0.5 s after the producer's last message until it is UP again.
        String liveBets = """
                SELECT count(DISTINCT b.id) FROM bet b JOIN bet_leg l ON l.bet_id = b.id
                  LEFT JOIN price_history ph ON ph.selection_id = l.selection_id AND ph.version = l.version
                WHERE (b.due_at IS NOT NULL OR ph.actor = 'feed:live') AND\s""";
        String prematchBets = """
                SELECT count(DISTINCT b.id) FROM bet b JOIN bet_leg l ON l.bet_id = b.id
                  JOIN price_history ph ON ph.selection_id = l.selection_id AND ph.version = l.version
                WHERE b.due_at IS NULL AND ph.actor = 'feed:prematch' AND\s""";
        String accepted = "b.status IN ('ACCEPTED', 'WON', 'LOST', 'VOID') ";
        long late = count(liveBets + accepted + "AND coalesce(b.decided_at, b.placed_at) > ? "
                + "AND coalesce(b.decided_at, b.placed_at) < ?", deadline, up);
        long placedSilent = count(liveBets + "b.placed_at > ? AND b.placed_at < ?", deadline,
                java.sql.Timestamp.from(upAgain.minusMillis(200)));
        long rejected = count(liveBets + "b.status = 'REJECTED' AND b.reject_reason = 'MARKET_SUSPENDED' "
                + "AND b.decided_at > ? AND b.decided_at < ?", java.sql.Timestamp.from(Instant.ofEpochMilli(lastLive)), up);
        long prematchDuring = count(prematchBets + accepted + "AND b.placed_at > ? AND b.placed_at < ?", deadline, up);
        long liveAfter = count(liveBets + accepted + "AND coalesce(b.decided_at, b.placed_at) > ?", up);
        long[] prices = livePricesAfter(upAgain);
        System.out.printf("FEED silence: last live message %s, producer DOWN %d ms later; UP again %s (%d ms after the "
                + "feed resumed at %s), last recovery took %s ms; live bets accepted late: %d (placed while silent: %d, "
                + "pending ones rejected: %d); prematch bets during: %d; live after: %d (%d of their prices checked "
                + "against the feed's, %d not the feed's)%n", Instant.ofEpochMilli(lastLive), downAt.toEpochMilli() - lastLive,
                upAgain, upAgain.toEpochMilli() - resumed, Instant.ofEpochMilli(resumed),
                live.path("lastRecovery").path("tookMillis").asText(), late, placedSilent, rejected, prematchDuring,
                liveAfter, prices[0], prices[1]);
        assertThat(late).as("live-producer bets accepted later than max-inactivity + 0.5 s after its last message "
                + "and before the producer was UP again").isZero();
        assertThat(placedSilent).as("live-producer bets placed (in any status) while the producer was down").isZero();
        assertThat(prematchDuring).as("the prematch producer's markets took bets all along").isPositive();
        assertThat(prematch.path("downs").asLong()).as("the prematch producer never went down")
                .isEqualTo(prematchDownsBefore);
        assertThat(prematch.path("status").asText()).isEqualTo("UP");
        assertThat(liveAfter).as("live markets take bets again after the recovery").isPositive();
        assertThat(prices[0]).as("live bets after the recovery whose price could be checked").isPositive();
        assertThat(prices[1]).as("live bets after the recovery at a price the feed was not giving then").isZero();
        assertThat(live.path("downs").asLong()).isPositive();
        assertThat(downAt.toEpochMilli() - lastLive).as("detection").isBetween(MAX_INACTIVITY_MILLIS,
                MAX_INACTIVITY_MILLIS + 500);
        assertThat(streamStart).isBefore(upAgain);
        assertPricesAreTheFeeds();
    }

    /**
     * The live bets placed in the 8 s after the producer was UP again: {checked, mismatched}. Each leg's price must be
     * one the feed gave that outcome at some moment in the 2 s before the bet was placed (the bettor read it, then
     * placed); a price from before the silence that the recovery failed to replace would not be.
     */
    private static long[] livePricesAfter(Instant upAgain) throws Exception {
        long checked = 0;
        long wrong = 0;
        try (Connection c = pair.db(); PreparedStatement ps = c.prepareStatement("""
                SELECT e.feed_ref, m.feed_ref, s.feed_ref, l.odds, b.placed_at, b.id FROM bet b
                  JOIN bet_leg l ON l.bet_id = b.id JOIN selection s ON s.id = l.selection_id
                  JOIN market m ON m.id = l.market_id JOIN event e ON e.id = l.event_id
                WHERE e.source = 'FEED' AND b.due_at IS NOT NULL AND b.placed_at > ? AND b.placed_at < ?""")) {
            ps.setObject(1, java.sql.Timestamp.from(upAgain));
            ps.setObject(2, java.sql.Timestamp.from(upAgain.plusSeconds(8)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long placed = rs.getTimestamp(5).getTime();
                    long odds = Math.round(rs.getBigDecimal(4).doubleValue() * 100);
                    var feed = listener.pricesBetween(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3),
                            placed - 2_000, placed);
                    if (feed.isEmpty()) {
                        continue;
                    }
                    checked++;
                    if (!feed.contains(odds)) {
                        wrong++;
                        System.out.printf("FEED check: bet %d at %s took %d, the feed gave %s%n", rs.getLong(6),
                                Instant.ofEpochMilli(placed), odds, feed);
                    }
                }
            }
        }
        return new long[] { checked, wrong };
    }

    @Test
    @Order(2)
    void aKilledActiveIsFollowedByARecoveryFromThePersistedTimestampWithNothingAppliedTwice() throws Exception {
        long killedAt;
        Instant upAgain;
        try (Stream stream = new Stream().start()) {
            sleep(5_000);
            Pair.Node old = pair.active();
            long lastAlive = count("SELECT last_alive_ts FROM feed_producer WHERE name = 'live'");
            killedAt = System.currentTimeMillis();
            pair.kill9(old);
            Pair.await("the other node ACTIVE and both producers UP", Duration.ofSeconds(60),
                    () -> pair.active() != null && producersUp(2) && statusSinceAfter(killedAt));
            upAgain = Instant.parse(producer("live").path("statusSince").asText());
            long after = producer("live").path("lastRecovery").path("after").isMissingNode() ? 0
                    : Instant.parse(producer("live").path("lastRecovery").path("after").asText()).toEpochMilli();
            System.out.printf("FEED failover: kill -9 at %s, live producer UP on the new ACTIVE %d ms later, "
                    + "recovered after %s (last alive persisted before the kill: %s), recovery took %s ms%n",
                    Instant.ofEpochMilli(killedAt), upAgain.toEpochMilli() - killedAt, Instant.ofEpochMilli(after),
                    Instant.ofEpochMilli(lastAlive), producer("live").path("lastRecovery").path("tookMillis").asText());
            assertThat(after).as("the new ACTIVE recovers from the timestamp the old one persisted")
                    .isGreaterThanOrEqualTo(lastAlive);
            // a whole match cycle: the matches live at the kill end and are settled (certainty 1, then 2)
            sleep(45_000);
            assertThat(stream.errors).isEmpty();
        }
        assertPricesAreTheFeeds();
        assertThat(count("""
                SELECT count(*) FROM market_result r JOIN market_result p
                  ON p.market_id = r.market_id AND p.revision = r.revision - 1
                WHERE r.has_result AND p.has_result AND r.winners = p.winners AND r.voids = p.voids
                  AND r.void_market = p.void_market""")).as("no result revision repeats the one before it").isZero();
        assertThat(count("""
                SELECT count(*) FROM bet b WHERE b.status = 'WON' AND b.payout <> (
                    SELECT coalesce(sum(CASE WHEN type = 'PAYOUT' THEN amount WHEN type = 'REVERSAL' THEN amount END), 0)
                    FROM ledger_entry l WHERE l.bet_id = b.id AND l.book = 'PLAYER')""")).as("each winning bet paid once")
                .isZero();
        assertThat(count("SELECT count(*) FROM bet WHERE status = 'WON'")).as("feed settlement paid winners").isPositive();
        assertThat(BetTraffic.unbalancedAccounts(pair)).isZero();
    }

    /** Every active feed market's first price, in the database, is the latest the simulator sent for it. */
    private static void assertPricesAreTheFeeds() throws Exception {
        Pair.await("the database's prices equal the feed's latest", Duration.ofSeconds(10), () -> {
            try (Connection c = pair.db(); PreparedStatement ps = c.prepareStatement("""
                    SELECT e.feed_ref, m.feed_ref, s.odds FROM market m JOIN event e ON e.id = m.event_id
                      JOIN selection s ON s.market_id = m.id AND s.feed_ref IN ('1', '12')
                    WHERE m.source = 'FEED' AND m.status = 'OPEN'""");
                    ResultSet rs = ps.executeQuery()) {
                int checked = 0;
                while (rs.next()) {
                    long[] feed = listener.latest.get(rs.getString(1) + "|" + rs.getString(2));
                    if (feed != null && feed[1] != Math.round(rs.getBigDecimal(3).doubleValue() * 100)) {
                        return false;
                    }
                    checked++;
                }
                return checked > 0;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static boolean statusSinceAfter(long ms) {
        try {
            return Instant.parse(producer("live").path("statusSince").asText()).toEpochMilli() > ms;
        } catch (Exception e) {
            return false;
        }
    }

    private static JsonNode producer(String name) throws Exception {
        Pair.Node node = pair.active();
        for (JsonNode p : JSON.readTree(node.asOps("GET", "/api/ops/feed", null)).path("producers")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new IllegalStateException("no producer " + name);
    }

    private static boolean producersUp(int n) {
        try {
            Pair.Node node = pair.active();
            if (node == null) {
                return false;
            }
            int up = 0;
            for (JsonNode p : JSON.readTree(node.asOps("GET", "/api/ops/feed", null)).path("producers")) {
                up += p.path("status").asText().equals("UP") ? 1 : 0;
            }
            return up >= n;
        } catch (Exception e) {
            return false;
        }
    }

    private static long count(String sql, Object... params) throws Exception {
        try (Connection c = pair.db(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static int status(String url) {
        return status("GET", url);
    }

    private static int status(String method, String url) {
        try {
            return Pair.HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
