package io.holdfast.pair;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Bettors under fault, as a careful client behaves (the one harness of the pair tests, the HA tests and the failover
 * benchmarks): each thread places single bets one after another, each with its own {@code requestId}; an answer
 * that is not an acknowledgement but may be retried (502/503/504, a refused or reset connection, a timeout) is sent
 * again with the same {@code requestId} and body, until acknowledged or the client gives up. Where the attempts go
 * is the {@link Route}'s business: straight at the two nodes (the client moves to the other node after a failure)
 * or through HAProxy. Everything the client saw is recorded, so a test can check that every acknowledged bet is in
 * the database exactly once, that no answer was a non-retriable error, and how long bettors went without any
 * acknowledgement around a fault ({@link #longestGap}).
 */
public final class BetTraffic implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    /** Where placements are sent and where the truth is checked. */
    public interface Route {
        /** Base URL of a client's first attempt. */
        String first();

        /** Base URL to try after an attempt on {@code failed} was not acknowledged. */
        String after(String failed);

        /** The node a base URL reaches ("haproxy" when the load balancer chooses). */
        String nodeOf(String url);

        Connection db() throws SQLException;
    }

    /**
     * How the client waits and retries. {@link #DIRECT}: straight at the nodes, a short timeout so the client itself
     * moves off a frozen node. {@link #THROUGH_LB}: the bettor of issue 12, behind HAProxy with a 10 s timeout.
     */
    public record Client(Duration requestTimeout, Duration retryPause, Duration giveUpAfter) {
        public static final Client DIRECT = new Client(Duration.ofSeconds(2), Duration.ofMillis(25), Duration.ofSeconds(30));
        public static final Client THROUGH_LB = new Client(Duration.ofSeconds(10), Duration.ofMillis(50),
                Duration.ofSeconds(30));

        public Client giveUpAfter(Duration d) {
            return new Client(requestTimeout, retryPause, d);
        }
    }

    /** A bettor with money and a session (log in once, as heavy clients do). */
    public record Bettor(long accountId, String cookie) {
    }

    /** One acknowledged placement: who answered, the bet id, and when (System.nanoTime). */
    public record Ack(String requestId, long betId, String node, long firstSentNanos, long lastSentNanos, long atNanos) {
    }

    /** The longest stretch without an acknowledgement: between the acks at {@code fromNanos} and {@code toNanos}. */
    public record Gap(long fromNanos, long toNanos) {
        public long millis() {
            return (toNanos - fromNanos) / 1_000_000;
        }
    }

    private final Route route;
    private final List<Bettor> bettors;
    private final long selectionId;
    private final String prefix;
    private final Client client;
    private final Map<String, Ack> acked = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> abandoned = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> retriableAnswers = new ConcurrentHashMap<>();
    private final AtomicInteger retriable = new AtomicInteger();
    /** When each retriable answer and each non-retriable error came (System.nanoTime), for a timeline. */
    private final ConcurrentLinkedQueue<Long> retryTimes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> errorTimes = new ConcurrentLinkedQueue<>();
    private final AtomicLong sent = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public BetTraffic(Route route, List<Bettor> bettors, long selectionId, String prefix, Client client) {
        this.route = route;
        this.bettors = bettors;
        this.selectionId = selectionId;
        this.prefix = prefix;
        this.client = client;
    }

    /** Straight at the pair's nodes ({@link Client#DIRECT}), giving up after {@code giveUpAfter}. */
    public BetTraffic(Pair pair, List<Bettor> bettors, long selectionId, String prefix, Duration giveUpAfter) {
        this(pair, bettors, selectionId, prefix, Client.DIRECT.giveUpAfter(giveUpAfter));
    }

    public BetTraffic start() {
        running = true;
        for (int i = 0; i < bettors.size(); i++) {
            int n = i;
            Thread t = new Thread(() -> client(n), prefix + "-client-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** Stops sending new placements; the ones in flight still retry until acknowledged or abandoned. */
    public BetTraffic stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(client.giveUpAfter().toMillis() + client.requestTimeout().toMillis() + 5000);
        }
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void client(int n) {
        String cookie = bettors.get(n).cookie();
        String url = route.first();
        for (long seq = 1; running; seq++) {
            String requestId = prefix + "-" + n + "-" + seq;
            String body = bet(requestId, selectionId);
            long first = System.nanoTime();
            while (true) {
                long sentAt = System.nanoTime();
                sent.incrementAndGet();
                String failure;
                try {
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/bets"))
                            .timeout(client.requestTimeout()).header("Content-Type", "application/json")
                            .header("Cookie", cookie).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    int status = r.statusCode();
                    if (status == 200 || status == 201) {
                        acked.put(requestId, new Ack(requestId, JSON.readTree(r.body()).get("id").asLong(),
                                route.nodeOf(url), first, sentAt, System.nanoTime()));
                        break;
                    }
                    if (status != 502 && status != 503 && status != 504) {
                        errorTimes.add(System.nanoTime());
                        errors.add(route.nodeOf(url) + " " + requestId + " -> " + status + " " + r.body());
                        break;
                    }
                    failure = String.valueOf(status);
                } catch (IOException e) {
                    failure = e.getClass().getSimpleName(); // refused, reset or timed out: dead or frozen
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                retriable.incrementAndGet();
                retryTimes.add(System.nanoTime());
                retriableAnswers.computeIfAbsent(failure, k -> new AtomicInteger()).incrementAndGet();
                if (System.nanoTime() - first > client.giveUpAfter().toNanos()) {
                    abandoned.add(requestId + ": " + failure);
                    break;
                }
                url = route.after(url);
                try {
                    Thread.sleep(client.retryPause().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A single of 10 at 2.00 on {@code selectionId}, any odds change accepted (the minimum stake: a long soak stays far below the daily limit). */
    public static String bet(String requestId, long selectionId) {
        return "{\"requestId\":\"" + requestId + "\",\"stake\":10,\"oddsChange\":\"ANY\","
                + "\"legs\":[{\"selectionId\":" + selectionId + ",\"odds\":2.00}]}";
    }

    public Map<String, Ack> acked() {
        return acked;
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    public List<String> abandoned() {
        return List.copyOf(abandoned);
    }

    public int retriable() {
        return retriable.get();
    }

    /** The retriable answers by kind (status code or exception), sorted. */
    public Map<String, Integer> retriableAnswers() {
        Map<String, Integer> m = new TreeMap<>();
        retriableAnswers.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public List<Long> retryTimes() {
        return List.copyOf(retryTimes);
    }

    public List<Long> errorTimes() {
        return List.copyOf(errorTimes);
    }

    public List<Bettor> bettors() {
        return bettors;
    }

    public long sent() {
        return sent.get();
    }

    /** The first acknowledgement by {@code node} at or after {@code sinceNanos}, or null. */
    public Ack firstAck(String node, long sinceNanos) {
        return acked.values().stream().filter(a -> a.node().equals(node) && a.atNanos() >= sinceNanos)
                .min(Comparator.comparingLong(Ack::atNanos)).orElse(null);
    }

    /** Milliseconds from {@code faultNanos} to the first acknowledgement of an attempt sent after it. */
    public OptionalLong firstAckAfter(long faultNanos) {
        return acked.values().stream().filter(a -> a.lastSentNanos() >= faultNanos)
                .mapToLong(a -> (a.atNanos() - faultNanos) / 1_000_000).min();
    }

    public long acksSince(long sinceNanos) {
        return acked.values().stream().filter(a -> a.atNanos() >= sinceNanos).count();
    }

    /** The longest a bettor waited for an acknowledgement (retries included) among bets first sent from {@code sinceNanos}. */
    public long maxWaitMillisSince(long sinceNanos) {
        return acked.values().stream().filter(a -> a.firstSentNanos() >= sinceNanos)
                .mapToLong(a -> (a.atNanos() - a.firstSentNanos()) / 1_000_000).max().orElse(-1);
    }

    /**
     * The longest stretch without any acknowledged bet, over all clients, between the first and the last
     * acknowledgement of this traffic: what a bettor sees of a fault (issue 12's measure). Null with fewer than two acks.
     */
    public Gap longestGap() {
        long[] at = acked.values().stream().mapToLong(Ack::atNanos).sorted().toArray();
        Gap longest = null;
        for (int i = 1; i < at.length; i++) {
            if (longest == null || at[i] - at[i - 1] > longest.toNanos() - longest.fromNanos()) {
                longest = new Gap(at[i - 1], at[i]);
            }
        }
        return longest;
    }

    /**
     * Compares the database with what the clients were told: the differences (none when each acknowledged bet is
     * there exactly once, with the id the client got, and no bet of this traffic is there that was neither
     * acknowledged nor given up on).
     */
    public List<String> differencesWithDatabase() throws Exception {
        Map<String, List<Long>> inDb = new HashMap<>();
        try (Connection c = route.db(); PreparedStatement s = c.prepareStatement(
                "SELECT request_id, id FROM bet WHERE account_id = ANY (?) AND request_id LIKE ?")) {
            Array ids = c.createArrayOf("bigint", bettors.stream().map(Bettor::accountId).toArray());
            s.setArray(1, ids);
            s.setString(2, prefix + "-%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    inDb.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
                }
            }
        }
        List<String> differences = new ArrayList<>();
        for (Ack a : acked.values()) {
            List<Long> ids = inDb.getOrDefault(a.requestId(), List.of());
            if (ids.size() != 1 || ids.get(0) != a.betId()) {
                differences.add(a.requestId() + " acknowledged as bet " + a.betId() + ", database has " + ids);
            }
        }
        inDb.keySet().stream().filter(id -> !acked.containsKey(id) && abandoned.stream().noneMatch(a -> a.startsWith(id + ":")))
                .forEach(id -> differences.add("in the database but never acknowledged nor abandoned: " + id));
        return differences;
    }

    public String summary() {
        Gap gap = longestGap();
        return acked.size() + " acknowledged, " + retriable.get() + " retriable answers " + retriableAnswers() + ", "
                + errors.size() + " non-retriable errors, " + abandoned.size() + " abandoned, longest gap "
                + (gap == null ? "-" : gap.millis() + " ms");
    }

    // --- around a fault

    /** A fault: strikes and returns when it struck (System.nanoTime). */
    @FunctionalInterface
    public interface Fault {
        long strike() throws Exception;
    }

    /** A stopped traffic and when its fault struck (System.nanoTime). */
    public record Faulted(BetTraffic bets, long at) {
        /** Milliseconds from the fault to the first bet accepted for a request sent after it, or -1. */
        public long firstAckMillis() {
            return bets.firstAckAfter(at).orElse(-1);
        }

        /** The longest stretch without an acknowledged bet around the fault, in ms. */
        public long gapMillis() {
            Gap g = bets.longestGap();
            return g == null ? -1 : g.millis();
        }
    }

    /**
     * Starts {@code traffic}, strikes {@code fault} once {@code before} has passed and bets flow, waits up to
     * {@code bound} for a bet accepted for a request sent after the fault, lets the traffic run {@code after} more,
     * and stops it (in-flight placements finish or are given up).
     */
    public static Faulted aroundFault(BetTraffic traffic, Duration before, Duration bound, Duration after, Fault fault)
            throws Exception {
        long at;
        try {
            traffic.start();
            Thread.sleep(before.toMillis());
            Pair.await("bets acknowledged before the fault", Duration.ofSeconds(30), () -> traffic.acked().size() >= 5);
            at = fault.strike();
            long struck = at;
            Pair.await("a bet accepted after the fault", bound, () -> traffic.firstAckAfter(struck).isPresent());
            Thread.sleep(after.toMillis());
        } finally {
            traffic.close();
        }
        return new Faulted(traffic, at);
    }

    // --- set-up through the API

    private static HttpResponse<String> post(String base, String path, String body, String cookie, String auth)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String must(HttpResponse<String> r, String what) {
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(what + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Logs a bettor in through {@code POST /api/session} at {@code base} and returns its session cookie. */
    public static String session(String base, String username, String password) throws Exception {
        HttpResponse<String> r = post(base, "/api/session",
                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}", null, null);
        must(r, "login " + username);
        return r.headers().allValues("set-cookie").stream().filter(v -> v.startsWith("holdfast-session="))
                .map(v -> v.substring(0, v.indexOf(';') < 0 ? v.length() : v.indexOf(';'))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no session cookie in " + r.headers().map()));
    }

    /** Signs up {@code count} bettors with money through {@code base} (a node or HAProxy), each with a session. */
    public static List<Bettor> bettors(String base, String prefix, int count) throws Exception {
        List<Bettor> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String username = prefix.replace('-', '_') + "_" + i + "_" + System.nanoTime() % 100000;
            String password = "secret-" + username;
            long accountId = JSON.readTree(must(post(base, "/api/accounts",
                    "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}", null, null), "sign-up"))
                    .get("id").asLong();
            String cookie = session(base, username, password);
            must(post(base, "/api/wallet/deposits", "{\"requestId\":\"dep-" + username + "\",\"amount\":10000000}",
                    cookie, null), "deposit");
            made.add(new Bettor(accountId, cookie));
        }
        return made;
    }

    public static List<Bettor> bettors(Pair.Node node, String prefix, int count) throws Exception {
        return bettors(node.url(), prefix, count);
    }

    /** An event with one market; {@code home} and {@code away} are its selections, at 2.00 and 1.80. */
    public record Market(long eventId, long marketId, long home, long away) {
    }

    /** Creates a new event with one market of two selections through the admin API at {@code base}. */
    public static Market market(String base, String adminPassword, String name) throws Exception {
        String admin = basic("admin", adminPassword);
        JsonNode event = JSON.readTree(must(post(base, "/api/admin/events",
                "{\"name\":\"" + name + "\",\"startsAt\":\"2030-01-01T18:00:00Z\"}", null, admin), "event"));
        long eventId = event.get("id").asLong();
        JsonNode market = JSON.readTree(must(post(base, "/api/admin/events/" + eventId + "/markets",
                "{\"name\":\"Match winner\",\"selections\":[{\"name\":\"Home\",\"odds\":2.00},{\"name\":\"Away\",\"odds\":1.80}]}",
                null, admin), "market"));
        return new Market(eventId, market.get("id").asLong(), market.get("selections").get(0).get("id").asLong(),
                market.get("selections").get(1).get("id").asLong());
    }

    public static Market market(Pair.Node node, String name) throws Exception {
        return market(node.url(), node.adminPassword(), name);
    }

    /** Accounts whose ledger does not add up to the balance (must be none). */
    public static long unbalancedAccounts(Route route) throws Exception {
        try (Connection c = route.db(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM account a "
                + "WHERE a.balance <> (SELECT coalesce(sum(amount), 0) FROM ledger_entry l WHERE l.account_id = a.id)");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
